package notify_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkNotify sends BLASON_NOTIFY_BENCH_AWARDS (default 10,000) new
// awards of a synthetic site to a real Mailpit, without a rate limit
// (batches of 100 messages per connection), and reports messages/s:
//
//	go test ./internal/notify/ -run '^$' -bench Notify -benchtime 1x
//
// Each iteration starts from an empty journal (--initial).
func BenchmarkNotify(b *testing.B) {
	n := 10000
	if v := os.Getenv("BLASON_NOTIFY_BENCH_AWARDS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	mp := startMailpit(b)
	dir := b.TempDir()
	files := map[string]string{
		"blason.yaml":                "title: Bench\nbaseURL: https://badges.example.fr/\nlanguages: [fr, en]\n",
		"content/ecole/_space.md":    "---\nname: École\nurl: https://www.ecole.example/\nemail: badges@ecole.example\n---\n",
		"content/ecole/badges/b.svg": `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>`,
		"content/ecole/badges/b.md":  "---\nname: Tutorat\ndescription: Accompagner des étudiants.\nimage: b.svg\n---\nEncadrer un groupe pendant un semestre.\n",
	}
	var csv strings.Builder
	csv.WriteString("email,name,badge,date,lang\n")
	for i := range n {
		lang := "fr"
		if i%3 == 0 {
			lang = "en"
		}
		fmt.Fprintf(&csv, "etudiant.%d@example.org,Étudiant Synthétique %d,b,2025-06-13,%s\n", i, i, lang)
	}
	files["content/ecole/awards/synthese.csv"] = csv.String()
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	env := mailEnv(mp.smtp, "BLASON_NOTIFY_RATE=100000/s", "BLASON_NOTIFY_BATCHSIZE=100")
	start := time.Now()
	if _, e, err := run(b, dir, env, "build", "-q"); err != nil {
		b.Fatalf("build: %v\n%s", err, e)
	}
	b.Logf("built %d awards in %s", n, time.Since(start).Round(time.Millisecond))
	b.ResetTimer()
	var rate float64
	for range b.N {
		os.RemoveAll(filepath.Join(dir, ".blason/notify"))
		start := time.Now()
		o, e, err := run(b, dir, env, "notify", "--initial")
		secs := time.Since(start).Seconds()
		if err != nil || !strings.Contains(o, fmt.Sprintf("sent %d of %d", n, n)) {
			b.Fatalf("notify: %v\n%s%s", err, o, e)
		}
		rate = float64(n) / secs
		if m := regexp.MustCompile(`\(([0-9.]+)/s\)`).FindStringSubmatch(o); m != nil {
			b.Logf("%d messages: %s/s while sending, %.0f/s for the whole command (load, plan, send), GOMAXPROCS %d", n, m[1], rate, runtime.GOMAXPROCS(0))
		}
	}
	b.ReportMetric(rate, "msgs/s")
	if got := mp.count(b); got != n*b.N {
		b.Errorf("Mailpit holds %d messages, want %d", got, n*b.N)
	}
}
