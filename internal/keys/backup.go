package keys

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"filippo.io/age"
)

// A backup is the whole keys folder — secrets, private keys, retired keys,
// status ledgers — as one tar archive encrypted with age (for a passphrase,
// through age's scrypt recipient, or for age public keys). Paths inside are
// relative to the keys folder; file modes are kept.

// maxBackup bounds what a restore reads into memory (keys and ledgers are small).
const maxBackup = 1 << 30

// BackupFile is one file of a keys folder.
type BackupFile struct {
	Name string // slash-separated, relative to the keys folder
	Mode fs.FileMode
	Data []byte
}

// files lists the regular files of the keys folder, hidden and temporary
// files excepted, sorted by name.
func (s Store) files() ([]BackupFile, error) {
	var out []BackupFile
	err := filepath.WalkDir(s.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != s.Dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(s.Dir, p)
		if err != nil {
			return err
		}
		out = append(out, BackupFile{Name: filepath.ToSlash(rel), Mode: fi.Mode().Perm(), Data: b})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b BackupFile) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Backup writes the keys folder to w, encrypted to the recipients. It
// returns the files it holds.
func (s Store) Backup(w io.Writer, recipients ...age.Recipient) ([]BackupFile, error) {
	files, err := s.files()
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no file to back up", s.Dir)
	}
	enc, err := age.Encrypt(w, recipients...)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(enc)
	for _, f := range files {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: f.Name, Mode: int64(f.Mode), Size: int64(len(f.Data)), Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return files, nil
}

// ReadBackup decrypts and reads a backup, checking every name (relative,
// no "..", regular files only).
func ReadBackup(r io.Reader, identities ...age.Identity) ([]BackupFile, error) {
	dec, err := age.Decrypt(r, identities...)
	if err != nil {
		return nil, fmt.Errorf("cannot decrypt the backup (wrong passphrase or identity?): %w", err)
	}
	tr := tar.NewReader(io.LimitReader(dec, maxBackup))
	var out []BackupFile
	seen := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a keys backup: %w", err)
		}
		name := hdr.Name
		if hdr.Typeflag != tar.TypeReg || name == "" || path.IsAbs(name) || path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../") || strings.Contains(name, `\`) || seen[name] {
			return nil, fmt.Errorf("backup entry %q refused: only plain files inside the keys folder", name)
		}
		seen[name] = true
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		out = append(out, BackupFile{Name: name, Mode: fs.FileMode(hdr.Mode).Perm(), Data: b})
	}
	return out, nil
}

// RestoreResult tells what a restore did.
type RestoreResult struct {
	Written, Same []string // file names
}

// Restore writes the files of a backup into the keys folder, with their
// modes. A file already there with the same bytes is left alone; one with
// other bytes is a conflict: Restore then writes nothing and names them all,
// unless force, when they are replaced. Files of the keys folder the backup
// does not hold are left alone.
func (s Store) Restore(files []BackupFile, force bool) (RestoreResult, error) {
	var res RestoreResult
	var conflicts []string
	for _, f := range files {
		p := filepath.Join(s.Dir, filepath.FromSlash(f.Name))
		old, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return res, err
		case bytes.Equal(old, f.Data):
			res.Same = append(res.Same, f.Name)
		default:
			conflicts = append(conflicts, p)
		}
	}
	if len(conflicts) > 0 && !force {
		return res, fmt.Errorf("these files exist with other contents; nothing was restored (--force replaces them):\n  %s", strings.Join(conflicts, "\n  "))
	}
	for _, f := range files {
		if slices.Contains(res.Same, f.Name) {
			continue
		}
		p := filepath.Join(s.Dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return res, err
		}
		if err := writeReplace(p, f.Data, f.Mode); err != nil {
			return res, err
		}
		res.Written = append(res.Written, f.Name)
	}
	return res, nil
}

// writeReplace writes data to p with mode, atomically (temporary file and rename).
func writeReplace(p string, data []byte, mode fs.FileMode) error {
	tmp, err := writeTemp(p, data, mode)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Rename(tmp, p)
}
