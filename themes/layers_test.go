package themes

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestLayersLookupOrder(t *testing.T) {
	space := fstest.MapFS{"layouts/badge.html": {Data: []byte("space")}}
	site := fstest.MapFS{"layouts/badge.html": {Data: []byte("site")}, "layouts/home.html": {Data: []byte("site home")}, "static/extra.css": {Data: []byte("x")}}
	fs3 := Layers(space, site, nil, Default())
	for name, want := range map[string]string{"layouts/badge.html": "space", "layouts/home.html": "site home", "static/extra.css": "x"} {
		b, err := fs.ReadFile(fs3, name)
		if err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", name, b, err, want)
		}
	}
	def, _ := fs.ReadFile(Default(), "layouts/space.html")
	if b, _ := fs.ReadFile(fs3, "layouts/space.html"); string(b) != string(def) {
		t.Error("layouts/space.html does not fall through to the embedded default")
	}
	es, err := fs.ReadDir(fs3, "static")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, e := range es {
		names[e.Name()]++
	}
	if names["extra.css"] != 1 || names["style.css"] != 1 {
		t.Errorf("static lists %v, want the union of the layers, each name once", names)
	}
	if _, err := fs3.Open("layouts/none.html"); err == nil {
		t.Error("a missing file opened")
	}
	if err := fstest.TestFS(Layers(site, Default()), "layouts/home.html", "static/extra.css", "static/style.css"); err != nil {
		t.Error(err)
	}
}
