package main

import (
	"runtime/debug"
	"testing"

	"github.com/francebadge/blason/internal/i18n"
)

func TestVersionText(t *testing.T) {
	vcs := func(kv ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Path: "github.com/francebadge/blason", Version: "(devel)"}}
		for i := 0; i+1 < len(kv); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return bi
	}
	installed := vcs("GOOS", "darwin", "GOARCH", "arm64")
	installed.Main.Version = "v1.4.0"
	for _, tc := range []struct {
		name                string
		ldVersion, ldCommit string
		ldDate              string
		bi                  *debug.BuildInfo
		lang                i18n.Lang
		want                string
	}{
		{name: "release flags win", ldVersion: "v1.2.0", ldCommit: "abc123", ldDate: "2026-01-31T10:00:00Z",
			bi:   vcs("vcs.revision", "fff", "vcs.modified", "true", "GOOS", "linux", "GOARCH", "amd64"),
			want: "blason v1.2.0\ncommit abc123, 2026-01-31T10:00:00Z\nbuilt with go1.99.1 for linux/amd64"},
		{name: "go install …@v1.4.0", bi: installed,
			want: "blason v1.4.0\ncommit unknown\nbuilt with go1.99.1 for darwin/arm64"},
		{name: "a dirty checkout", bi: vcs("vcs.revision", "0b658bc", "vcs.time", "2026-12-03T21:00:00Z", "vcs.modified", "true", "GOOS", "linux", "GOARCH", "amd64"),
			want: "blason (devel)\ncommit 0b658bc+dirty, 2026-12-03T21:00:00Z\nbuilt with go1.99.1 for linux/amd64"},
		{name: "a clean checkout", bi: vcs("vcs.revision", "0b658bc", "vcs.modified", "false", "GOOS", "linux", "GOARCH", "386"),
			want: "blason (devel)\ncommit 0b658bc\nbuilt with go1.99.1 for linux/386"},
		{name: "in French", bi: vcs("vcs.revision", "0b658bc", "vcs.time", "2026-12-03T21:00:00Z", "GOOS", "windows", "GOARCH", "amd64"), lang: i18n.French,
			want: "blason (devel)\ncommit 0b658bc, du 2026-12-03T21:00:00Z\ncompilé avec go1.99.1 pour windows/amd64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lang := tc.lang
			if lang == "" {
				lang = i18n.English
			}
			got := readBuildInfo(tc.ldVersion, tc.ldCommit, tc.ldDate, tc.bi).format(lang)
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	// No build information at all.
	if got := readBuildInfo("", "", "", nil); got.Version != "(devel)" || got.Go == "" || got.Platform == "" {
		t.Errorf("without build info: %+v", got)
	}
}

func TestScanLang(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		value string
		found bool
	}{
		{[]string{"build"}, "", false},
		{[]string{"--lang", "fr", "build"}, "fr", true},
		{[]string{"build", "-lang=en"}, "en", true},
		{[]string{"build", "--lang"}, "", true},
		{[]string{"verify", "--", "--lang", "fr"}, "", false},
		{[]string{"build", "-s", "language"}, "", false},
	} {
		v, found := scanLang(tc.args)
		if v != tc.value || found != tc.found {
			t.Errorf("scanLang(%q) = %q, %v; want %q, %v", tc.args, v, found, tc.value, tc.found)
		}
	}
}
