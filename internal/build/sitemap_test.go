package build

import (
	"bytes"
	"encoding/xml"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestSitemapListsEveryIndexablePage: the sitemap lists exactly the demo's
// pages that search engines may index (their canonical address is their
// own, and no robots meta says noindex), and nothing that is not a page.
func TestSitemapListsEveryIndexablePage(t *testing.T) {
	t.Parallel()
	d := sharedDemo(t)
	b, err := os.ReadFile(filepath.Join(d.dest, "sitemap.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var sm struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(b, &sm); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, u := range sm.URLs {
		if listed[u.Loc] {
			t.Errorf("%s is listed twice", u.Loc)
		}
		listed[u.Loc] = true
	}
	indexable := map[string]bool{}
	err = filepath.WalkDir(d.dest, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, _ := filepath.Rel(d.dest, p)
		own := d.base + strings.TrimSuffix(filepath.ToSlash(rel), "index.html")
		page, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		canonical, robots := headLinks(page)
		if canonical == own && !strings.Contains(robots, "noindex") {
			indexable[own] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for u := range indexable {
		if !listed[u] {
			t.Errorf("indexable page missing from the sitemap: %s", u)
		}
	}
	for u := range listed {
		if !indexable[u] {
			t.Errorf("the sitemap lists %s, which is not an indexable page of the site", u)
		}
	}
	if len(indexable) < 20 || !slices.ContainsFunc(sm.URLs, func(u struct {
		Loc string `xml:"loc"`
	}) bool {
		return strings.HasSuffix(u.Loc, "/verify/")
	}) {
		t.Errorf("%d indexable pages; the verification page is listed: %v", len(indexable), listed[d.base+"verify/"])
	}
}

// headLinks returns a page's canonical address and its robots meta.
func headLinks(page []byte) (canonical, robots string) {
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			attr := func(k string) string {
				for _, a := range tok.Attr {
					if a.Key == k {
						return a.Val
					}
				}
				return ""
			}
			switch {
			case tok.Data == "link" && attr("rel") == "canonical":
				canonical = attr("href")
			case tok.Data == "meta" && attr("name") == "robots":
				robots = attr("content")
			case tok.Data == "body":
				return
			}
		}
	}
}
