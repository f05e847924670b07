package markdown

import (
	"strings"
	"testing"
)

func TestHTML(t *testing.T) {
	tests := []struct{ name, in, want, notWant string }{
		{"emphasis", "**FAIRE ÉMERGER** : identifie", "<strong>FAIRE ÉMERGER</strong>", ""},
		{"list", "- a\n- b", "<li>a</li>", ""},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", "<table>", ""},
		{"raw html dropped", "<script>alert(1)</script>", "", "<script>"},
	}
	r := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.HTML(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && !strings.Contains(string(got), tt.want) {
				t.Errorf("HTML(%q) = %q, want it to contain %q", tt.in, got, tt.want)
			}
			if tt.notWant != "" && strings.Contains(string(got), tt.notWant) {
				t.Errorf("HTML(%q) = %q, must not contain %q", tt.in, got, tt.notWant)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"emphasis", "L'**Université** est *fictive*.", "L'Université est fictive."},
		{"paragraphs and soft breaks", "Une ligne\ncontinuée.\n\nSecond paragraphe.", "Une ligne continuée.\n\nSecond paragraphe."},
		{"heading", "## Critères\n\nTexte", "Critères\n\nTexte"},
		{"link keeps its text", "Voir [le référentiel](https://ref.example/c1).", "Voir le référentiel."},
		{"autolink", "Site : <https://ref.example/>", "Site : https://ref.example/"},
		{"image alt", "![Logo de l'école](logo.png)", "Logo de l'école"},
		{"tight list", "- un\n- deux", "- un\n- deux"},
		{"ordered list", "3. trois\n4. quatre", "3. trois\n4. quatre"},
		{"loose list", "- un\n\n- deux", "- un\n\n- deux"},
		{"code span", "la commande `blason build`", "la commande blason build"},
		{"escapes and entities", `\*pas d'italique\* &amp; &#233;`, "*pas d'italique* & é"},
		{"raw html dropped", "avant <b>gras</b> après\n\n<div>bloc</div>", "avant gras après"},
		{"script dropped", "<script>alert(1)</script>", ""},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n1 | 2"},
		{"strikethrough", "~~barré~~ gardé", "barré gardé"},
		{"hard break", "ligne  \nsuivante", "ligne\nsuivante"},
		{"plain text unchanged", "Compétences numériques — niveau 2", "Compétences numériques — niveau 2"},
	}
	r := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
