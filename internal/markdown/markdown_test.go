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
