// Package synth writes synthetic sites of any size — spaces, badge classes
// with and without levels, award lists of obviously fake recipients — for
// benchmarks and scale tests.
package synth

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Options size a synthetic site.
type Options struct {
	Awards      int // total award rows
	PerSpace    int // awards per space (default 200,000)
	PerFile     int // rows per award list (default 5,000)
	BaseURL     string
	StatusSize  int // statusListSize (default 131072)
	Seed        int64
	Description string
}

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256"><circle cx="128" cy="128" r="120" fill="#000091"/></svg>`

// Write creates the site under dir (which must not exist or be empty) and
// returns the award list files it wrote.
func Write(dir string, o Options) ([]string, error) {
	if o.PerSpace <= 0 {
		o.PerSpace = 200000
	}
	if o.PerFile <= 0 {
		o.PerFile = 5000
	}
	if o.BaseURL == "" {
		o.BaseURL = "https://badges.example.fr/"
	}
	if o.StatusSize == 0 {
		o.StatusSize = 131072
	}
	cfg := fmt.Sprintf("title: Banc d'essai\nbaseURL: %s\nlanguages: [fr, en]\ncredentials:\n  statusListSize: %d\n", o.BaseURL, o.StatusSize)
	if err := write(filepath.Join(dir, "blason.yaml"), cfg); err != nil {
		return nil, err
	}
	spaces := (o.Awards + o.PerSpace - 1) / o.PerSpace
	if spaces == 0 {
		spaces = 1
	}
	var lists []string
	left := o.Awards
	for s := range spaces {
		slug := fmt.Sprintf("etablissement-%02d", s+1)
		sd := filepath.Join(dir, "content", slug)
		if err := write(filepath.Join(sd, "_space.md"), fmt.Sprintf("---\nname: Établissement fictif %d\nurl: https://www.etab%d.example/\nemail: badges@etab%d.example\nlogo: logo.svg\n---\nÉtablissement de démonstration pour les mesures de performance.\n", s+1, s+1, s+1)); err != nil {
			return nil, err
		}
		if err := write(filepath.Join(sd, "logo.svg"), svg); err != nil {
			return nil, err
		}
		for b := range 10 {
			levels := ""
			if b < 5 {
				levels = "levels:\n  - id: novice\n    name: Novice\n    description: Premiers pas.\n  - id: intermediaire\n    name: Intermédiaire\n    description: Applique.\n  - id: competent\n    name: Compétent\n    description: Maîtrise.\n  - id: avance\n    name: Avancé\n  - id: expert\n    name: Expert\n"
			}
			md := fmt.Sprintf("---\nname: Compétence %d\ndescription: Une compétence du référentiel de l'établissement.\nimage: b%d.svg\ntags: [compétence, banc]\nachievementType: Competency\nalignments:\n  - targetName: C%d\n    targetUrl: https://referentiel.example/c%d\n    targetFramework: Référentiel fictif\n%s---\nLe badge est attribué par le jury après l'évaluation des situations d'apprentissage prévues au référentiel, dans l'ordre des niveaux. Les activités validantes sont signalées dans les cours.\n", b+1, b, b+1, b+1, levels)
			if err := write(filepath.Join(sd, "badges", fmt.Sprintf("b%d.md", b)), md); err != nil {
				return nil, err
			}
			if err := write(filepath.Join(sd, "badges", fmt.Sprintf("b%d.svg", b)), svg); err != nil {
				return nil, err
			}
		}
		n := min(left, o.PerSpace)
		left -= n
		levels := []string{"novice", "intermediaire", "competent", "avance", "expert"}
		day0 := time.Date(2022, 9, 1, 0, 0, 0, 0, time.UTC)
		for f := 0; f*o.PerFile < n; f++ {
			path := filepath.Join(sd, "awards", fmt.Sprintf("jury-%04d.csv", f))
			lists = append(lists, path)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, err
			}
			fh, err := os.Create(path)
			if err != nil {
				return nil, err
			}
			w := bufio.NewWriter(fh)
			w.WriteString("email,eppn,badge,level,date,evidence_narrative\n")
			for i := f * o.PerFile; i < min(n, (f+1)*o.PerFile); i++ {
				// Each student (i / 10) gets ten awards, no duplicates: the five
				// levels of one competency badge, in order (dates never go
				// back, as level progression requires), then five badges
				// without levels.
				student, slot := i/10, i%10
				badge, level := slot, ""
				if slot < 5 {
					badge, level = student%5, levels[slot]
				}
				date := day0.AddDate(0, 0, (i/1000)%1200).Format(time.DateOnly)
				fmt.Fprintf(w, "etudiant.%07d@example.org,e%07d@etab%d.example,b%d,%s,%s,Évaluation en situation\n", student, student, s+1, badge, level, date)
			}
			if err := w.Flush(); err != nil {
				fh.Close()
				return nil, err
			}
			if err := fh.Close(); err != nil {
				return nil, err
			}
		}
	}
	return lists, nil
}

func write(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
