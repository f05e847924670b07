package passport

import (
	"context"
	"strings"
	"testing"
)

func TestCollect(t *testing.T) {
	files := Static{{Slug: "b", Source: "content/_passports/b.yaml:1"}, {Slug: "a", Source: "content/_passports/a.yaml:1"}}
	store := Static{{Slug: "c", Source: "store"}}
	got, err := Collect(context.Background(), files, nil, store)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, p := range got {
		slugs = append(slugs, p.Slug)
	}
	if strings.Join(slugs, ",") != "a,b,c" {
		t.Fatalf("slugs %v, want a,b,c (sorted)", slugs)
	}

	tests := []struct {
		name    string
		sources []Source
		want    []string
	}{
		{"clash between sources", []Source{files, Static{{Slug: "a", Source: "store"}}},
			[]string{`store: passport slug "a" is already declared by content/_passports/a.yaml:1`}},
		{"bad slugs", []Source{Static{{Slug: "Bad Slug", Source: "store"}, {Slug: "-x", Source: "store"}, {Slug: strings.Repeat("a", 65), Source: "store"}, {Slug: "", Source: "store"}}},
			[]string{`"Bad Slug" is not valid`, `"-x" is not valid`, "is not valid", "4 problem(s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Collect(context.Background(), tt.sources...)
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
}

func TestValidSlug(t *testing.T) {
	for s, want := range map[string]bool{"camille-martin": true, "a": true, "x2": true, "a--b": false, "A": false, "é": false, "a_b": false, "a-": false, "": false, strings.Repeat("a", 64): true} {
		if ValidSlug(s) != want {
			t.Errorf("ValidSlug(%q) = %v", s, !want)
		}
	}
}
