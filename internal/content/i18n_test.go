package content

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/i18n"
)

// TestDiagnosticsInFrench renders every broken-content case of errCases in
// French: no line may stay as it is in English (only the file:line part
// is kept), and a French line must match no English message of the
// catalogue.
func TestDiagnosticsInFrench(t *testing.T) {
	var all []string
	n := 0
	for _, tc := range errCases() {
		_, _, err := loadFiles(t, merge(baseSite, tc.files))
		var de *diag.Error
		if !errors.As(err, &de) {
			t.Fatalf("%s: want a *diag.Error, got %v", tc.name, err)
		}
		for _, d := range de.Items {
			n++
			en := strings.Split(d.Localize(i18n.English), "\n")
			fr := strings.Split(d.Localize(i18n.French), "\n")
			all = append(all, fr...)
			if len(en) != len(fr) {
				t.Errorf("%s: %d lines in English, %d in French:\n%s\n%s", tc.name, len(en), len(fr), strings.Join(en, "\n"), strings.Join(fr, "\n"))
				continue
			}
			loc := strings.TrimSuffix(strings.SplitN(en[0], ": ", 2)[0], ":")
			for i := range en {
				e := strings.TrimPrefix(strings.TrimPrefix(en[i], loc+": "), "\thint: ")
				f := strings.TrimPrefix(strings.TrimPrefix(fr[i], loc+": "), "\tconseil : ")
				if e == f {
					t.Errorf("%s: stays in English in French:\n\t%s", tc.name, fr[i])
				} else if back := i18n.French.Translate(f); back != f {
					t.Errorf("%s: the French line still holds an English message:\n\t%s\n(translates further to %s)", tc.name, f, back)
				}
			}
			if i := strings.Index(fr[0], ": "); i < 0 || fr[0][:i] != loc {
				t.Errorf("%s: the French message lost its location %s: %s", tc.name, loc, fr[0])
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d diagnostics rendered; the cases changed?", n)
	}
	if os.Getenv("I18N_SHOW") != "" {
		t.Log("\n" + strings.Join(all, "\n"))
	}
}

// TestFrenchGolden checks exact French renderings, typography included.
func TestFrenchGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{
			name:  "unknown template",
			files: merge(reseauSpace, map[string]string{"content/ecole/badges/tutorat.md": badgeWith("template: reseau/mentorst\n")}),
			want: "content/ecole/badges/tutorat.md:5: modèle \"reseau/mentorst\" inconnu\n" +
				"\tconseil : vouliez-vous dire \"reseau/mentorat\" ?\n" +
				"1 problème(s) trouvé(s) ; rien n'a été écrit",
		},
		{
			name:  "future date",
			files: map[string]string{"content/ecole/awards/ok.csv": "email,badge,date\nalice@example.org,tutorat,2999-01-10\n"},
			want: "content/ecole/awards/ok.csv:2: la date 2999-01-10 est dans le futur\n" +
				"\tconseil : une date d'attribution ne peut pas être dans le futur ; vérifiez l'année\n" +
				"1 problème(s) trouvé(s) ; rien n'a été écrit",
		},
		{
			name: "script in an SVG image",
			files: map[string]string{"content/ecole/badges/tutorat.svg": `<svg xmlns="http://www.w3.org/2000/svg">` + "\n" +
				`<a href="https://tracker.example/x"><script>alert(1)</script></a></svg>`},
			want: "content/ecole/badges/tutorat.svg:2: href sur <a> refusé : il fait référence à un autre site (l'image doit se suffire à elle-même : vérificateurs, portefeuilles et clients de messagerie ne vont rien chercher d'autre)\n" +
				"\tconseil : gardez les liens à l'intérieur de l'image (href=\"#id\") et intégrez les images matricielles en data:image/png;base64,…\n" +
				"content/ecole/badges/tutorat.svg:2: élément <script> refusé : il s'exécute quand l'image est ouverte dans un navigateur\n" +
				"\tconseil : les images de badge et les logos doivent être de simples dessins : supprimez-le, ou exportez de nouveau l'image en SVG simple (par exemple Inkscape : Enregistrer sous › SVG optimisé), ou en PNG\n" +
				"2 problème(s) trouvé(s) ; rien n'a été écrit",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := loadFiles(t, merge(baseSite, tc.files))
			var de *diag.Error
			if !errors.As(err, &de) {
				t.Fatalf("want a *diag.Error, got %v", err)
			}
			if got := de.Localize(i18n.French); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
