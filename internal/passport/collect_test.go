package passport

import (
	"context"
	"strings"
	"testing"
)

func TestCollect(t *testing.T) {
	files := Static{{Slug: "b", Source: "content/_passports/b.yaml:1"}, {Slug: "a", Source: "content/_passports/a.yaml:1"}}
	store := Static{{Slug: "c", Source: "store"}}
	got, warnings, err := Collect(context.Background(), files, nil, store)
	if err != nil || len(warnings) != 0 {
		t.Fatal(err, warnings)
	}
	var slugs []string
	for _, p := range got {
		slugs = append(slugs, p.Slug)
	}
	if strings.Join(slugs, ",") != "a,b,c" {
		t.Fatalf("slugs %v, want a,b,c (sorted)", slugs)
	}

	// In the site's own files, problems are errors.
	tests := []struct {
		name    string
		sources []Source
		want    []string
	}{
		{"clash within the files", []Source{Static{{Slug: "a", Source: "content/_passports/a.yaml:1"}, {Slug: "a", Source: "content/_passports/b.yaml:1"}}},
			[]string{`content/_passports/b.yaml:1: passport slug "a" is already declared by content/_passports/a.yaml:1`}},
		{"bad slugs", []Source{Static{{Slug: "Bad Slug", Source: "f"}, {Slug: "-x", Source: "f"}, {Slug: strings.Repeat("a", 65), Source: "f"}, {Slug: "", Source: "f"}}},
			[]string{`"Bad Slug" is not valid`, `"-x" is not valid`, "is not valid", "4 problem(s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Collect(context.Background(), tt.sources...)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	// From a store, the same problems leave the declaration off with a
	// warning: a student's choice never stops the build nor replaces a page.
	got, warnings, err = Collect(context.Background(), files, Static{{Slug: "a", Source: "store"}, {Slug: "Bad", Source: "store"}, {Slug: "d", Source: "store"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Source != "content/_passports/a.yaml:1" || got[2].Slug != "d" {
		t.Fatalf("kept %+v", got)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], `store: passport slug "a" is already declared by content/_passports/a.yaml:1; it is left off`) ||
		!strings.Contains(warnings[1], `"Bad" is not valid; it is left off`) {
		t.Fatalf("warnings %q", warnings)
	}
}

func TestValidSlug(t *testing.T) {
	for s, want := range map[string]bool{"camille-martin": true, "a": true, "x2": true, "a--b": false, "A": false, "é": false, "a_b": false, "a-": false, "": false, strings.Repeat("a", 64): true} {
		if ValidSlug(s) != want {
			t.Errorf("ValidSlug(%q) = %v", s, !want)
		}
	}
}
