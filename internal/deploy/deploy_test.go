package deploy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/demotest"
	"github.com/francebadge/blason/internal/serverconf"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The real S3 server the tests deploy to: Versity S3 Gateway over a
// folder, one process for the package. The secret is one no file of the
// tests holds otherwise, so that finding it anywhere is a leak.
const (
	accessKey = "blasontestkey"
	secretKey = "Zq7secret-never-logged-4f2e9"
	now       = "2026-01-15"
)

var (
	workDir string

	gwOnce sync.Once
	gw     *gateway
	gwErr  error

	demoOnce sync.Once
	demoDir  string // the built demo: src/ (with site/ inside)
	demoErr  error

	bucketN atomic.Int64
)

type gateway struct {
	endpoint string // http://127.0.0.1:PORT
	dir      string // the folder it serves: one sub-folder a bucket
	client   *minio.Client
	cmd      *exec.Cmd
}

func TestMain(m *testing.M) {
	code := m.Run()
	if gw != nil {
		gw.cmd.Process.Kill()
		gw.cmd.Wait()
	}
	if workDir != "" {
		os.RemoveAll(workDir)
	}
	os.Exit(code)
}

func work(t testing.TB) string {
	t.Helper()
	if workDir == "" {
		d, err := os.MkdirTemp("", "blason-deploy-")
		if err != nil {
			t.Fatal(err)
		}
		workDir = d
	}
	return workDir
}

// server starts versitygw once; a missing binary skips the tests, or fails
// them under CI=true (.ci/run installs it).
func server(t testing.TB) *gateway {
	t.Helper()
	bin, err := exec.LookPath("versitygw")
	if err != nil {
		msg := "versitygw not found: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0 to test deploy against a real S3 server"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := work(t)
	gwOnce.Do(func() { gw, gwErr = startGateway(bin, dir) })
	if gwErr != nil {
		t.Fatal(gwErr)
	}
	return gw
}

func startGateway(bin, dir string) (*gateway, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	g := &gateway{endpoint: "http://" + addr, dir: filepath.Join(dir, "s3")}
	if err := os.MkdirAll(g.dir, 0o755); err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, "versitygw.log"))
	if err != nil {
		return nil, err
	}
	g.cmd = exec.Command(bin, "--access", accessKey, "--secret", secretKey, "--port", addr, "posix", g.dir)
	g.cmd.Stdout, g.cmd.Stderr = log, log
	if err := g.cmd.Start(); err != nil {
		return nil, err
	}
	g.client, err = minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4(accessKey, secretKey, ""), Region: "us-east-1", BucketLookup: minio.BucketLookupPath})
	if err != nil {
		return nil, err
	}
	for end := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := g.client.ListBuckets(context.Background()); err == nil {
			return g, nil
		} else if time.Now().After(end) {
			b, _ := os.ReadFile(log.Name())
			return nil, fmt.Errorf("versitygw does not answer on %s: %v\n%s", addr, err, b)
		}
	}
}

// bucket makes a new bucket for one test.
func (g *gateway) bucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test-%d", bucketN.Add(1))
	if err := g.client.MakeBucket(context.Background(), name, minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	return name
}

// keys lists the objects of a bucket.
func (g *gateway) keys(t testing.TB, bucket string) []string {
	t.Helper()
	var out []string
	for o := range g.client.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		out = append(out, o.Key)
	}
	slices.Sort(out)
	return out
}

func (g *gateway) put(t testing.TB, bucket, key, body string) {
	t.Helper()
	if _, err := g.client.PutObject(context.Background(), bucket, key, strings.NewReader(body), int64(len(body)), minio.PutObjectOptions{ContentType: "text/plain"}); err != nil {
		t.Fatal(err)
	}
}

// site is one test's copy of the built demo, deployed to its own bucket.
type site struct {
	src, dest string
	base      string
	bucket    string
	g         *gateway
}

const base = "https://badges.example.fr/"

// revokedAward is the demo award the fixture revokes, for a tombstone.
var revokedAward string

// demo builds the demo once (with one award revoked), and copies it for a
// test: the sources, keys and .blason/ with the site, the build manifest
// renamed after the new site folder as the build names it.
func demo(t testing.TB) *site {
	t.Helper()
	g := server(t)
	demoOnce.Do(func() { demoErr = buildDemo(filepath.Join(work(t), "demo")) })
	if demoErr != nil {
		t.Fatalf("demo build: %v", demoErr)
	}
	dst := filepath.Join(work(t), fmt.Sprintf("copy-%d", bucketN.Load()+1))
	if err := demotest.CopyTree(demoDir, dst); err != nil {
		t.Fatal(err)
	}
	old := ManifestPath(demoDir, filepath.Join(demoDir, "site"))
	s := &site{src: dst, dest: filepath.Join(dst, "site"), base: base, g: g, bucket: g.bucket(t)}
	if err := os.Rename(strings.Replace(old, demoDir, dst, 1), ManifestPath(s.src, s.dest)); err != nil {
		t.Fatal(err)
	}
	return s
}

func buildDemo(dir string) error {
	root, err := demotest.ModuleRoot()
	if err != nil {
		return err
	}
	if err := demotest.CopyDemo(root, dir); err != nil {
		return err
	}
	demoDir = dir
	// A third of the demo is enough (1,850 files): most award lists of
	// ecole-ingenieurs are left out, and the passport showing them.
	lists, err := filepath.Glob(filepath.Join(dir, "content", "ecole-ingenieurs", "awards", "*.csv"))
	if err != nil {
		return err
	}
	for _, l := range lists {
		if b := filepath.Base(l); b != "vie-etudiante-2025.csv" && b != "semaine-seed-2025.csv" {
			if err := os.Remove(l); err != nil {
				return err
			}
		}
	}
	if err := os.Remove(filepath.Join(dir, "content", "_passports", "ef-0102.yaml")); err != nil {
		return err
	}
	o := buildOptions(dir)
	m, err := build.Load(o)
	if err != nil {
		return err
	}
	for _, sp := range m.Spaces {
		if sp.Slug == "universite" {
			revokedAward = sp.Awards[3].ID
		}
	}
	csv := "award,date,reason,action\n" + revokedAward + ",2025-11-03,Attribution faite par erreur,revoke\n"
	if err := os.WriteFile(filepath.Join(dir, "content", "universite", "revocations.csv"), []byte(csv), 0o644); err != nil {
		return err
	}
	_, err = build.Run(o)
	return err
}

func buildOptions(src string) build.Options {
	t, _ := time.Parse("2006-01-02", now)
	return build.Options{Source: src, Destination: filepath.Join(src, "site"), BaseURL: base, Now: t}
}

func (s *site) rebuild(t testing.TB) {
	t.Helper()
	if _, err := build.Run(buildOptions(s.src)); err != nil {
		t.Fatal(err)
	}
}

func (s *site) config(prefix string) config.Deploy {
	return config.Deploy{Endpoint: s.g.endpoint, Bucket: s.bucket, Prefix: prefix, Region: "us-east-1", Addressing: "path", Parallel: 8}
}

func getenv(k string) string {
	switch k {
	case "AWS_ACCESS_KEY_ID":
		return accessKey
	case "AWS_SECRET_ACCESS_KEY":
		return secretKey
	}
	return ""
}

// deploy runs one deploy, returning what it uploaded and removed.
func (s *site) deploy(t testing.TB, prefix string, edit func(*Options)) (Result, []string, []string) {
	t.Helper()
	var mu sync.Mutex
	var up, rm []string
	o := Options{Source: s.src, Site: s.dest, BaseURL: s.base, Config: s.config(prefix), Getenv: getenv,
		Plan: func(action, p, why string) {
			mu.Lock()
			defer mu.Unlock()
			if action == "upload" {
				up = append(up, p)
			} else {
				rm = append(rm, p)
			}
		}}
	if edit != nil {
		edit(&o)
	}
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(up)
	slices.Sort(rm)
	return res, up, rm
}

// siteFiles lists the site's files and their sha256, host files left out.
func siteFiles(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "_headers" || rel == "_redirects" {
			return nil
		}
		b, err := os.ReadFile(p)
		sum := sha256.Sum256(b)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func prefixed(prefix string, paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = prefix + p
	}
	slices.Sort(out)
	return out
}

// TestFirstDeploy: every file of the site is sent (not _headers nor
// _redirects), with the headers serverconf gives it and its checksum;
// a second deploy sends nothing and reads no file.
func TestFirstDeploy(t *testing.T) {
	s := demo(t)
	files := siteFiles(t, s.dest)
	res, up, rm := s.deploy(t, "badges", nil)
	if res.Uploaded != len(files) || len(up) != len(files) || len(rm) != 0 {
		t.Fatalf("first deploy: %d uploaded (%d planned), %d removed; the site has %d files", res.Uploaded, len(up), len(rm), len(files))
	}
	if got, want := s.g.keys(t, s.bucket), prefixed("badges/", slices.Collect(maps.Keys(files))); !slices.Equal(got, want) {
		t.Fatalf("the bucket holds %d objects, want the %d files of the site", len(got), len(want))
	}
	rules, err := serverconf.FromBuilt(s.dest, "/")
	if err != nil {
		t.Fatal(err)
	}
	tomb := ""
	for _, p := range rules.Gone {
		if strings.Contains(p, revokedAward) {
			tomb = p
		}
	}
	if tomb == "" {
		t.Fatalf("no tombstone for %s in _redirects", revokedAward)
	}
	// One file of each kind, read back with HEAD through the server.
	kinds := map[string]struct{ ct, cc string }{
		"index.html":                        {"text/html; charset=utf-8", serverconf.ShortCache},
		"sitemap.xml":                       {"application/xml", serverconf.ShortCache},
		"assets/style.css":                  {"text/css; charset=utf-8", serverconf.ShortCache},
		"universite/did.json":               {serverconf.JSONType, serverconf.ShortCache},
		"universite/jwks.json":              {serverconf.JSONType, serverconf.ShortCache},
		"universite/issuer.json":            {serverconf.JSONType, serverconf.ShortCache},
		"universite/revocations.json":       {serverconf.JSONType, serverconf.ShortCache},
		"universite/status/revocation.json": {serverconf.JSONType, serverconf.ShortCache},
		tomb:                                {serverconf.JSONType, serverconf.NoCache},
	}
	for p := range files {
		switch {
		case strings.HasPrefix(p, "universite/keys/") && strings.HasSuffix(p, ".json"):
			kinds[p] = struct{ ct, cc string }{serverconf.JSONType, serverconf.ImmutableCache}
		case strings.HasPrefix(p, "universite/credentials/") && strings.HasSuffix(p, ".json"):
			kinds[p] = struct{ ct, cc string }{serverconf.VCType, serverconf.LongCache}
		case strings.HasPrefix(p, "universite/credentials/") && strings.HasSuffix(p, ".jwt"):
			kinds[p] = struct{ ct, cc string }{serverconf.TextType, serverconf.LongCache}
		case strings.HasPrefix(p, "universite/credentials/") && strings.HasSuffix(p, ".svg"):
			kinds[p] = struct{ ct, cc string }{"image/svg+xml", serverconf.LongCache}
		case strings.HasPrefix(p, "universite/assertions/") && strings.HasSuffix(p, ".jws"):
			kinds[p] = struct{ ct, cc string }{serverconf.TextType, serverconf.ShortCache}
		case strings.HasPrefix(p, "universite/badges/") && strings.HasSuffix(p, ".svg"):
			kinds[p] = struct{ ct, cc string }{"image/svg+xml", serverconf.ShortCache}
		}
	}
	if len(kinds) < 15 {
		t.Fatalf("the demo lacks some kind of file: %v", slices.Collect(maps.Keys(kinds)))
	}
	for p, want := range kinds {
		info, err := s.g.client.StatObject(context.Background(), s.bucket, "badges/"+p, minio.StatObjectOptions{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if info.ContentType != want.ct || info.Metadata.Get("Cache-Control") != want.cc || info.UserMetadata[MetaSHA256] != files[p] {
			t.Errorf("%s: Content-Type %q, Cache-Control %q, sha256 %q; want %q, %q, %q", p, info.ContentType, info.Metadata.Get("Cache-Control"), info.UserMetadata[MetaSHA256], want.ct, want.cc, files[p])
		}
	}
	// Nothing changed: nothing sent, and no file read (they are unreadable).
	res, up, rm = s.deploy(t, "badges", nil)
	if res.Uploaded != 0 || res.Removed != 0 || res.Unchanged != len(files) || len(up)+len(rm) != 0 {
		t.Errorf("no-op deploy: %+v", res)
	}
}

// TestOneAwardChange: after one award row changes and the site is built
// again, the deploy sends exactly the files whose bytes changed — the
// award's own files — and nothing else.
func TestOneAwardChange(t *testing.T) {
	s := demo(t)
	s.deploy(t, "", nil)
	before := siteFiles(t, s.dest)
	csv := filepath.Join(s.src, "content", "universite", "awards", "tutorat-2023-2025.csv")
	b, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	row := "etudiant.1007@example.org,e1007@universite-demo.example,,Étudiant Fictif 1007,tutorat,,2024-01-19,,,\n"
	if !bytes.Contains(b, []byte(row)) {
		t.Fatal("the demo's tutorat award of 1007 changed: update the test")
	}
	b = bytes.Replace(b, []byte(row), []byte(strings.TrimSuffix(row, "\n")+"\"Tutorat de physique, six séances.\"\n"), 1)
	if err := os.WriteFile(csv, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s.rebuild(t)
	after := siteFiles(t, s.dest)
	var changed []string
	for p, sum := range after {
		if before[p] != sum {
			changed = append(changed, p)
		}
	}
	slices.Sort(changed)
	t.Logf("files the build changed: %v", changed)
	if len(changed) == 0 {
		t.Fatal("the build changed nothing")
	}
	res, up, rm := s.deploy(t, "", nil)
	// The transparency log grew: its edge partial tiles are replaced by
	// wider ones, the only files removed.
	if !slices.Equal(up, changed) {
		t.Errorf("sent %v; want exactly the changed files %v", up, changed)
	}
	for _, p := range rm {
		if _, still := after[p]; still || !strings.HasPrefix(p, "log/tile/") || !strings.Contains(p, ".p/") {
			t.Errorf("removed %s: only superseded partial tiles of the log may go", p)
		}
	}
	if res.Unchanged != len(after)-len(changed) {
		t.Errorf("%d unchanged, want %d", res.Unchanged, len(after)-len(changed))
	}
	for _, p := range up {
		if !strings.HasPrefix(p, "universite/") && !strings.HasPrefix(p, "log/") {
			t.Errorf("%s sent for a change of one award of universite", p)
		}
	}
	if !slices.Contains(up, "log/checkpoint") {
		t.Error("the change was not recorded in the transparency log (log/checkpoint not sent)")
	}
}

// TestRemovalsAndForeign: files the new site no longer has are removed
// after the uploads; objects Blason did not create are never touched,
// inside the prefix or out of it; --verify reports them.
func TestRemovalsAndForeign(t *testing.T) {
	s := demo(t)
	s.g.put(t, s.bucket, "site/foreign/notes.txt", "not Blason's")
	s.g.put(t, s.bucket, "site/universite/hand-made.html", "put by hand")
	s.g.put(t, s.bucket, "elsewhere.txt", "out of the prefix")
	s.deploy(t, "site", nil)
	before := siteFiles(t, s.dest)
	// The whole federation-test award list withdrawn.
	if err := os.Remove(filepath.Join(s.src, "content", "universite", "awards", "federation-test-2025.csv")); err != nil {
		t.Fatal(err)
	}
	s.rebuild(t)
	after := siteFiles(t, s.dest)
	var removed []string
	for p := range before {
		if _, ok := after[p]; !ok {
			removed = append(removed, p)
		}
	}
	slices.Sort(removed)
	if len(removed) == 0 {
		t.Fatal("withdrawing an award list removed no file")
	}
	res, _, rm := s.deploy(t, "site", nil)
	if !slices.Equal(rm, removed) || res.Removed != len(removed) {
		t.Errorf("removed %v, want %v", rm, removed)
	}
	keys := s.g.keys(t, s.bucket)
	for _, k := range []string{"site/foreign/notes.txt", "site/universite/hand-made.html", "elsewhere.txt"} {
		if !slices.Contains(keys, k) {
			t.Errorf("foreign object %s was removed", k)
		}
	}
	for _, p := range removed {
		if slices.Contains(keys, "site/"+p) {
			t.Errorf("%s is still in the bucket", p)
		}
	}
	var foreign []string
	res, up, rm := s.deploy(t, "site", func(o *Options) {
		o.Verify = true
		o.Foreign = func(k string) { foreign = append(foreign, k) }
	})
	slices.Sort(foreign)
	if want := []string{"site/foreign/notes.txt", "site/universite/hand-made.html"}; !slices.Equal(foreign, want) || res.Foreign != 2 {
		t.Errorf("--verify reported foreign objects %v, want %v", foreign, want)
	}
	if len(up)+len(rm) != 0 {
		t.Errorf("--verify after a deploy sent %v and removed %v", up, rm)
	}
}

// TestVerifyRepairs: --verify sends again an object changed or deleted
// behind Blason's back, rebuilds a lost state from the objects' metadata
// (removing ours the site no longer has), and a dry run changes nothing.
func TestVerifyRepairs(t *testing.T) {
	s := demo(t)
	cfg := s.config("")
	// A dry run sends nothing and writes no state.
	res, up, _ := s.deploy(t, "", func(o *Options) { o.DryRun = true })
	if res.Uploaded == 0 || len(up) != res.Uploaded || len(s.g.keys(t, s.bucket)) != 0 {
		t.Fatalf("dry run: %+v, bucket %d objects", res, len(s.g.keys(t, s.bucket)))
	}
	state := StatePath(s.src, cfg.Endpoint, cfg.Bucket, cfg.Prefix)
	if _, err := os.Stat(state); err == nil {
		t.Fatal("a dry run wrote the state")
	}
	s.deploy(t, "", nil)
	s.g.put(t, s.bucket, "index.html", "tampered")
	if err := s.g.client.RemoveObject(context.Background(), s.bucket, "universite/did.json", minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	// An object of ours the site no longer has, and the state lost.
	stale := filepath.Join(s.dest, "universite", "old.json")
	if err := os.WriteFile(stale, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.deploy(t, "", nil)
	os.Remove(stale)
	if err := os.Remove(state); err != nil {
		t.Fatal(err)
	}
	_, up, rm := s.deploy(t, "", func(o *Options) { o.Verify = true })
	if want := []string{"index.html", "universite/did.json"}; !slices.Equal(up, want) {
		t.Errorf("--verify sent %v, want %v", up, want)
	}
	if want := []string{"universite/old.json"}; !slices.Equal(rm, want) {
		t.Errorf("--verify removed %v, want %v", rm, want)
	}
	res, up, rm = s.deploy(t, "", nil)
	if len(up)+len(rm) != 0 {
		t.Errorf("after --verify rebuilt the state, a deploy sent %v and removed %v", up, rm)
	}
	_ = res
}

// TestOrder: keys go before what lists them, credentials before the
// status lists and pages, removals last.
func TestOrder(t *testing.T) {
	rules := serverconf.Site{Root: "/", Spaces: []string{"universite"}, Gone: []string{"universite/assertions/ab/abc.json"}}
	for _, c := range []struct {
		path string
		tier int
	}{
		{"universite/keys/es256-x.json", 0},
		{"universite/did.json", 1},
		{"universite/jwks.json", 1},
		{"universite/issuer.json", 1},
		{"universite/badges/b/badge.json", 1},
		{"assets/style.css", 1},
		{"universite/credentials/ab/abd.json", 2},
		{"universite/assertions/ab/abd.json", 2},
		{"universite/assertions/ab/abc.json", 3},
		{"universite/status/revocation.json", 3},
		{"universite/revocations.json", 3},
		{"universite/index.html", 3},
		{"sitemap.xml", 3},
		{"search.json", 3},
	} {
		if got := tier(c.path, rules); got != c.tier {
			t.Errorf("tier(%s) = %d, want %d", c.path, got, c.tier)
		}
	}
}

// TestInvalidate: the hook gets the changed URL paths on its input and in
// BLASON_DEPLOY_PATHS; a failing hook fails the deploy, state kept.
func TestInvalidate(t *testing.T) {
	s := demo(t)
	out := filepath.Join(t.TempDir(), "paths")
	s.base = "https://badges.example.fr/sub/"
	res, _, _ := s.deploy(t, "", func(o *Options) {
		o.Config.Invalidate = `cat > "` + out + `.stdin"; cp "$BLASON_DEPLOY_PATHS" "` + out + `"`
	})
	in, err1 := os.ReadFile(out + ".stdin")
	file, err2 := os.ReadFile(out)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	lines := strings.Split(strings.TrimSpace(string(in)), "\n")
	if !bytes.Equal(in, file) || len(lines) < res.Uploaded || !slices.Contains(lines, "/sub/index.html") || !slices.Contains(lines, "/sub/") || !slices.Contains(lines, "/sub/universite/did.json") {
		t.Errorf("hook input: %d lines for %d uploads (%q…)", len(lines), res.Uploaded, lines[:3])
	}
	if err := os.WriteFile(filepath.Join(s.dest, "index.html"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := s.config("")
	cfg.Invalidate = "exit 3"
	_, err := Run(context.Background(), Options{Source: s.src, Site: s.dest, BaseURL: s.base, Config: cfg, Getenv: getenv})
	if err == nil || !strings.Contains(err.Error(), "invalidation command") {
		t.Fatalf("failing hook: %v", err)
	}
	_, up, _ := s.deploy(t, "", nil)
	if len(up) != 0 {
		t.Errorf("after a failed hook the state lost the upload: sent %v again", up)
	}
}

// TestRefusals: no deploy without a finished build, nor during a build.
func TestRefusals(t *testing.T) {
	s := demo(t)
	cfg := s.config("")
	o := Options{Source: s.src, Site: s.dest, BaseURL: s.base, Config: cfg, Getenv: getenv}
	man := ManifestPath(s.src, s.dest)
	if err := os.WriteFile(man+".journal", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("site of an interrupted build: %v", err)
	}
	os.Remove(man + ".journal")
	o.Site = filepath.Join(s.src, "content")
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "run blason build first") {
		t.Errorf("folder never built: %v", err)
	}
	o.Site = s.dest
	o.Getenv = func(string) string { return "" }
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "no S3 credentials") {
		t.Errorf("no credentials: %v", err)
	}
	o.Getenv = func(k string) string {
		if k == "AWS_SECRET_ACCESS_KEY" {
			return "wrong-" + secretKey
		}
		return getenv(k)
	}
	_, err := Run(context.Background(), o)
	if err == nil || strings.Contains(err.Error(), secretKey) {
		t.Errorf("wrong secret: %v", err)
	}
}

// TestManifestPathMatchesBuild: ManifestPath names the manifest the build
// wrote.
func TestManifestPathMatchesBuild(t *testing.T) {
	server(t)
	demoOnce.Do(func() { demoErr = buildDemo(filepath.Join(work(t), "demo")) })
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	if _, err := os.Stat(ManifestPath(demoDir, filepath.Join(demoDir, "site"))); err != nil {
		t.Errorf("the build's manifest is not where ManifestPath says: %v", err)
	}
}

// TestKilledDeployResumes: the real blason deploy, killed with SIGKILL
// mid-upload, is finished by a second deploy that sends only what the
// first did not record as sent; the secret never shows in its output, the
// state or the site.
func TestKilledDeployResumes(t *testing.T) {
	s := demo(t)
	root, err := demotest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "blason")
	if out, err := exec.Command("go", "build", "-o", bin, filepath.Join(root, "cmd", "blason")).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg := s.config("killed")
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID="+accessKey, "AWS_SECRET_ACCESS_KEY="+secretKey,
		"BLASON_DEPLOY_ENDPOINT="+cfg.Endpoint, "BLASON_DEPLOY_BUCKET="+cfg.Bucket, "BLASON_DEPLOY_PREFIX=killed",
		"BLASON_DEPLOY_REGION=us-east-1", "BLASON_DEPLOY_ADDRESSING=path", "BLASON_LANG=en")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "deploy", "-s", s.src, "--parallel", "2")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Killed once 300 objects are on the server.
	dir := filepath.Join(s.g.dir, s.bucket, "killed")
	for {
		n := 0
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return nil
		})
		if n >= 300 {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("deploy ended before it was killed (%v): make the site larger or the kill sooner\n%s%s", err, stdout.String(), stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	st, err := readState(StatePath(s.src, cfg.Endpoint, cfg.Bucket, "killed"))
	if err != nil {
		t.Fatal(err)
	}
	files := siteFiles(t, s.dest)
	if len(st.objects) == 0 || len(st.objects) >= len(files) {
		t.Fatalf("the killed deploy recorded %d of %d files", len(st.objects), len(files))
	}
	res, up, _ := s.deploy(t, "killed", nil)
	for _, p := range up {
		if _, sent := st.objects[p]; sent {
			t.Errorf("%s sent again though the killed deploy recorded it", p)
		}
	}
	if len(up)+len(st.objects) != len(files) || res.Uploaded != len(up) {
		t.Errorf("second deploy sent %d, the first recorded %d, the site has %d", len(up), len(st.objects), len(files))
	}
	if got := s.g.keys(t, s.bucket); len(got) != len(files) {
		t.Errorf("the bucket holds %d objects, the site %d files", len(got), len(files))
	}

	// The secret is nowhere: output, state, site, .blason/.
	stdout.Reset()
	stderr.Reset()
	cmd = exec.Command(bin, "deploy", "-s", s.src, "--verify")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "deployed: 0 objects uploaded") {
		t.Errorf("--verify after the resumed deploy: %s", stdout.String())
	}
	cmd = exec.Command(bin, "deploy", "-s", s.src)
	cmd.Env = append(slices.Clone(env), "AWS_SECRET_ACCESS_KEY=x"+secretKey)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if cmd.Run() == nil {
		t.Error("a deploy with a wrong secret succeeded")
	}
	for _, w := range []string{stdout.String(), stderr.String()} {
		if strings.Contains(w, secretKey) || strings.Contains(w, secretKey[:12]) {
			t.Errorf("the secret is in the output:\n%s", w)
		}
	}
	filepath.WalkDir(s.src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(secretKey[:12])) {
			t.Errorf("the secret is in %s", p)
		}
		return nil
	})
}

// TestCORS: with deploy.cors, the bucket gets the CORS rules _headers
// gives the JSON documents (GET and HEAD from any origin).
func TestCORS(t *testing.T) {
	s := demo(t)
	s.deploy(t, "", func(o *Options) { o.Config.CORS = true })
	got, err := s.g.client.GetBucketCors(context.Background(), s.bucket)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.CORSRules) != 1 || !slices.Equal(got.CORSRules[0].AllowedOrigin, []string{"*"}) || !slices.Equal(got.CORSRules[0].AllowedMethod, []string{"GET", "HEAD"}) {
		t.Errorf("bucket CORS rules: %+v", got.CORSRules)
	}
}
