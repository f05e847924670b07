package passportfile

import (
	"fmt"
	"strings"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/yamlx"
)

// rich reads the optional headline and links of a declaration into p,
// reporting each problem at its line.
func rich(p *passport.Passport, f file, doc *yamlx.Doc, rel string, diags *diag.List) {
	p.Headline = strings.TrimSpace(f.Headline)
	switch passport.CheckHeadline(p.Headline) {
	case passport.TooLong:
		diags.Add(rel, doc.Line("headline"), fmt.Sprintf("shorten it to at most %d characters", passport.MaxHeadline), "headline is too long")
	case passport.NotOneLine:
		diags.Add(rel, doc.Line("headline"), "write one line, without line breaks or control characters", "headline holds a line break or a control character")
	case passport.Markup:
		diags.Add(rel, doc.Line("headline"), "write plain text: no markup is shown, so < and > are not allowed", "headline holds < or >")
	}
	if len(f.Links) > passport.MaxLinks {
		diags.Add(rel, doc.Line("links"), "keep the links that matter most", "%d links, more than the %d a passport may show", len(f.Links), passport.MaxLinks)
		return
	}
	seen := map[string]int{}
	for i, ll := range f.Links {
		l := passport.Link{Label: strings.TrimSpace(ll.Label), URL: strings.TrimSpace(ll.URL)}
		labelLine, urlLine := doc.ItemKeyLine("links", i, "label"), doc.ItemKeyLine("links", i, "url")
		label, address := passport.CheckLink(l)
		switch label {
		case passport.Empty:
			diags.Add(rel, labelLine, "add `label: Portfolio`, the text of the link", "link without label")
		case passport.TooLong:
			diags.Add(rel, labelLine, fmt.Sprintf("shorten it to at most %d characters", passport.MaxLinkLabel), "link label is too long")
		case passport.NotOneLine:
			diags.Add(rel, labelLine, "write one line, without line breaks or control characters", "link label holds a line break or a control character")
		case passport.Markup:
			diags.Add(rel, labelLine, "write plain text: no markup is shown, so < and > are not allowed", "link label holds < or >")
		}
		switch address {
		case passport.Empty:
			diags.Add(rel, urlLine, "add `url: https://…`, the address of the link", "link without url")
		case passport.TooLong:
			diags.Add(rel, urlLine, fmt.Sprintf("use an address of at most %d bytes", passport.MaxLinkURL), "link address is too long")
		case passport.NotHTTPS:
			diags.Add(rel, urlLine, "only https:// links are published: write https://…", "link address is not an https:// address")
		case passport.MalformedURL:
			diags.Add(rel, urlLine, "write a full address such as https://example.org/portfolio, without spaces, quotes or a user name", "malformed link address")
		}
		if label != passport.OK || address != passport.OK {
			continue
		}
		if first, dup := seen[l.URL]; dup {
			diags.Add(rel, urlLine, "list each link once", "the same address as link %d", first+1)
			continue
		}
		seen[l.URL] = i
		p.Links = append(p.Links, l)
	}
}

// groupName checks the group of an award item; false when it is reported.
func groupName(g, rel string, line int, diags *diag.List) bool {
	switch passport.CheckGroupName(g) {
	case passport.TooLong:
		diags.Add(rel, line, fmt.Sprintf("shorten it to at most %d characters", passport.MaxGroupName), "group name is too long")
	case passport.NotOneLine:
		diags.Add(rel, line, "write one line, without line breaks or control characters", "group name holds a line break or a control character")
	case passport.Markup:
		diags.Add(rel, line, "write plain text: no markup is shown, so < and > are not allowed", "group name holds < or >")
	default:
		return true
	}
	return false
}
