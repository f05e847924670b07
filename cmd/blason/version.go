package main

import (
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/francebadge/blason/internal/i18n"
)

// Set by the release build (GoReleaser):
//
//	go build -ldflags "-X main.version=v1.2.0 -X main.commit=abc123 -X main.date=2026-01-31T10:00:00Z"
//
// They are never changed at run time.
var version, commit, date string

// buildInfo is what the version command prints.
type buildInfo struct {
	Version, Commit, Date string
	Dirty                 bool
	Go, Platform          string
}

// readBuildInfo gathers the version from the release flags when set, else
// from the Go build information (module version when installed with
// go install …@vX, vcs.revision, vcs.time, vcs.modified).
func readBuildInfo(ldVersion, ldCommit, ldDate string, bi *debug.BuildInfo) buildInfo {
	info := buildInfo{Version: ldVersion, Commit: ldCommit, Date: ldDate, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		info.Go = bi.GoVersion
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if ldCommit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if ldDate == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				info.Dirty = ldCommit == "" && s.Value == "true"
			case "GOOS":
				info.Platform = s.Value + info.Platform[strings.Index(info.Platform, "/"):]
			case "GOARCH":
				info.Platform = info.Platform[:strings.Index(info.Platform, "/")+1] + s.Value
			}
		}
	}
	if info.Version == "" {
		info.Version = "(devel)"
	}
	return info
}

// format writes the version in three lines.
func (b buildInfo) format(l i18n.Lang) string {
	commit := b.Commit
	if commit == "" {
		commit = l.Sprintf("unknown")
	}
	if b.Dirty {
		commit += "+dirty"
	}
	lines := []string{"blason " + b.Version}
	if b.Date != "" {
		lines = append(lines, l.Sprintf("commit %s, %s", commit, b.Date))
	} else {
		lines = append(lines, l.Sprintf("commit %s", commit))
	}
	lines = append(lines, l.Sprintf("built with %s for %s", b.Go, b.Platform))
	return strings.Join(lines, "\n")
}

// versionText is what blason version prints.
func versionText(l i18n.Lang) string {
	bi, _ := debug.ReadBuildInfo()
	return readBuildInfo(version, commit, date, bi).format(l)
}
