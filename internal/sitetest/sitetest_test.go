package sitetest

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestDemoServed: the shared demo is built and its home page is served at
// Base in the default language.
func TestDemoServed(t *testing.T) {
	t.Parallel()
	d := Shared(t)
	resp, err := http.Get(d.URL(d.Layout.Home(d.Site.Languages[0])))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `<html lang="`+d.Site.Languages[0]+`"`) {
		t.Fatalf("home page: %s\n%.300s", resp.Status, b)
	}
	if d.Result.Awards < 300 {
		t.Errorf("demo build issued %d awards, want a few hundred", d.Result.Awards)
	}
}
