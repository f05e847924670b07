package diag

import (
	"errors"
	"testing"

	"github.com/francebadge/blason/internal/i18n"
)

func TestLocalize(t *testing.T) {
	for _, tc := range []struct {
		name   string
		add    func(*List)
		en, fr string
	}{
		{
			name: "format and hint",
			add: func(l *List) {
				l.Add("content/a.csv", 4, "write dates as YYYY-MM-DD, or DD/MM/YYYY (day first, as French Excel writes them)", "%s %s is not a date", "date", `"10.01.2025"`)
			},
			en: "content/a.csv:4: date \"10.01.2025\" is not a date\n\thint: write dates as YYYY-MM-DD, or DD/MM/YYYY (day first, as French Excel writes them)",
			fr: "content/a.csv:4: date \"10.01.2025\" n'est pas une date\n\tconseil : écrivez les dates AAAA-MM-JJ, ou JJ/MM/AAAA (le jour d'abord, comme les écrit Excel en français)",
		},
		{
			// "%s" has no entry of its own: its argument is the message.
			name: "message passed as an argument",
			add: func(l *List) {
				l.Add("content/x/logo.svg", 0, "replace it with a regular file", "%s", "is a symbolic link")
			},
			en: "content/x/logo.svg: is a symbolic link\n\thint: replace it with a regular file",
			fr: "content/x/logo.svg: est un lien symbolique\n\tconseil : remplacez-le par un fichier ordinaire",
		},
		{
			name: "error argument",
			add:  func(l *List) { l.Add("content/a.csv", 0, "", "cannot read: %v", errors.New("permission denied")) },
			en:   "content/a.csv: cannot read: permission denied",
			fr:   "content/a.csv: lecture impossible : permission refusée",
		},
		{
			name: "no translation: stays in English",
			add:  func(l *List) { l.Add("blason.yaml", 2, "", "nothing %s here", "x") },
			en:   "blason.yaml:2: nothing x here",
			fr:   "blason.yaml:2: nothing x here",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l List
			tc.add(&l)
			d := l.Items()[0]
			if got := d.Localize(i18n.English); got != tc.en || d.String() != tc.en {
				t.Errorf("English:\n%s\nwant\n%s", got, tc.en)
			}
			if got := d.Localize(i18n.French); got != tc.fr {
				t.Errorf("French:\n%s\nwant\n%s", got, tc.fr)
			}
		})
	}
}

func TestErrorLocalize(t *testing.T) {
	var l List
	l.Add("b.md", 2, "", "missing name")
	l.Add("a.md", 0, "", "missing description")
	err := l.Err().(*Error)
	if got, want := err.Error(), "a.md: missing description\nb.md:2: missing name\n2 problem(s) found; nothing was written"; got != want {
		t.Errorf("English:\n%s\nwant\n%s", got, want)
	}
	if got, want := err.Localize(i18n.French), "a.md: description manquante\nb.md:2: name manquant\n2 problème(s) trouvé(s) ; rien n'a été écrit"; got != want {
		t.Errorf("French:\n%s\nwant\n%s", got, want)
	}
	var empty List
	if empty.Err() != nil {
		t.Error("an empty list has an error")
	}
}
