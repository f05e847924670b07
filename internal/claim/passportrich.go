package claim

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/francebadge/blason/internal/passport"
)

// The richer passport in the "my badges" page: a headline and links in
// the passport form, and the order and groups of the badges shown. What
// the student types is checked with internal/passport's rules (the build
// checks the store again); a refused form is shown again with what was
// typed and each error next to its field.

// richForm is the passport form's headline and links, the layout of the
// passport's badges, and the errors of the last submission.
type richForm struct {
	Slug, DisplayName string // as typed, when the form is shown again
	Indexable         bool
	Headline          string
	Links             []passport.Link
	LinkRows          []linkRow
	HeadlineError     string
	ErrorList         []fieldError // in form order, for the summary
	Layout            []layoutRow
	Groups            []string // group names in use, for the inputs' suggestions
	LayoutErrors      []fieldError
}

type linkRow struct {
	N                  int
	Label, URL         string
	LabelText, URLText string
	LabelError         string
	URLError           string
}

type layoutRow struct {
	N          int
	Key        string // "space:award"
	Title      string
	Pos        int
	Group      string
	GroupError string
}

type fieldError struct{ ID, Message string }

func init() {
	for lang, m := range richMessages {
		for k, v := range m {
			messages[lang][k] = v
		}
	}
}

var richMessages = map[string]map[string]string{
	"fr": {
		"passportHeadline": "Accroche (facultative)",
		"headlineHelp":     fmt.Sprintf("Une ligne de %d caractères au plus, par exemple : Étudiante en L3 d'informatique, cherche une alternance.", passport.MaxHeadline),
		"linksLegend":      fmt.Sprintf("Liens (facultatifs, %d au plus)", passport.MaxLinks),
		"linksHelp":        "Un portfolio, un profil professionnel… Seules les adresses https:// sont publiées.",
		"linkLabel":        "Texte du lien", "linkURL": "Adresse du lien",
		"errHeadline":      fmt.Sprintf("L'accroche doit tenir sur une ligne de %d caractères au plus, en texte simple (sans < ni >).", passport.MaxHeadline),
		"errLinkLabel":     fmt.Sprintf("Donnez à ce lien un texte d'une ligne de %d caractères au plus, sans < ni >.", passport.MaxLinkLabel),
		"errLinkURL":       fmt.Sprintf("Donnez une adresse complète qui commence par https:// (%d caractères au plus, sans espace).", passport.MaxLinkURL),
		"errLinkHTTP":      "Seules les adresses https:// sont publiées : écrivez https://…",
		"errLinkDup":       "Cette adresse est déjà celle d'un autre lien.",
		"errGroup":         fmt.Sprintf("Le nom du groupe doit tenir sur une ligne de %d caractères au plus, sans < ni >.", passport.MaxGroupName),
		"errTooManyGroups": fmt.Sprintf("%d groupes au plus : regroupez davantage vos badges.", passport.MaxGroups),
		"formErrors":       "Le formulaire n'a pas été enregistré :",
		"layoutTitle":      "Ordre et groupes de mes badges",
		"layoutLead":       "Choisissez l'ordre des badges sur votre passeport et, si vous le souhaitez, rangez-les dans des groupes nommés (par exemple « Langues », « Engagement »). Les groupes apparaissent dans l'ordre de leur premier badge ; les badges sans groupe viennent après.",
		"colPosition":      "Position", "colGroup": "Groupe (facultatif)",
		"saveLayout":            "Enregistrer l'ordre et les groupes",
		"event_passport-layout": "Ordre et groupes du passeport enregistrés",
		// Replaces the privacy page's line: the passport now holds more.
		"keptPassport": "Votre passeport : adresse, nom affiché, choix d'indexation, badges montrés, leur ordre et leurs groupes, accroche et liens",
	},
	"en": {
		"passportHeadline": "Headline (optional)",
		"headlineHelp":     fmt.Sprintf("One line of at most %d characters, for example: Computer science student looking for a work-study contract.", passport.MaxHeadline),
		"linksLegend":      fmt.Sprintf("Links (optional, at most %d)", passport.MaxLinks),
		"linksHelp":        "A portfolio, a professional profile… Only https:// addresses are published.",
		"linkLabel":        "Link text", "linkURL": "Link address",
		"errHeadline":      fmt.Sprintf("The headline must be one line of at most %d characters of plain text (no < or >).", passport.MaxHeadline),
		"errLinkLabel":     fmt.Sprintf("Give this link a one-line text of at most %d characters, without < or >.", passport.MaxLinkLabel),
		"errLinkURL":       fmt.Sprintf("Give a full address starting with https:// (at most %d characters, no spaces).", passport.MaxLinkURL),
		"errLinkHTTP":      "Only https:// addresses are published: write https://…",
		"errLinkDup":       "Another link already has this address.",
		"errGroup":         fmt.Sprintf("The group name must be one line of at most %d characters, without < or >.", passport.MaxGroupName),
		"errTooManyGroups": fmt.Sprintf("At most %d groups: put more badges together.", passport.MaxGroups),
		"formErrors":       "The form was not saved:",
		"layoutTitle":      "Order and groups of my badges",
		"layoutLead":       "Choose the order of the badges on your passport and, if you wish, put them in named groups (for example \"Languages\", \"Volunteering\"). Groups come in the order of their first badge; badges in no group come after them.",
		"colPosition":      "Position", "colGroup": "Group (optional)",
		"saveLayout":            "Save order and groups",
		"event_passport-layout": "Passport order and groups saved",
		// Replaces the privacy page's line: the passport now holds more.
		"keptPassport": "Your passport: address, display name, indexing choice, badges shown with their order and groups, headline and links",
	},
}

// readRichForm reads and checks the headline and links of the passport
// form: rows link_label_N and link_url_N, N from 1 to passport.MaxLinks;
// a row left empty is no link.
func readRichForm(f url.Values, lang string) *richForm {
	m := messages[lang]
	form := &richForm{Headline: strings.TrimSpace(f.Get("headline"))}
	if passport.CheckHeadline(form.Headline) != passport.OK {
		form.HeadlineError = m["errHeadline"]
		form.ErrorList = append(form.ErrorList, fieldError{"headline", m["errHeadline"]})
	}
	seen := map[string]bool{}
	for n := 1; n <= passport.MaxLinks; n++ {
		l := passport.Link{Label: strings.TrimSpace(f.Get("link_label_" + strconv.Itoa(n))), URL: strings.TrimSpace(f.Get("link_url_" + strconv.Itoa(n)))}
		row := linkRow{N: n, Label: l.Label, URL: l.URL}
		if l.Label == "" && l.URL == "" {
			form.LinkRows = append(form.LinkRows, row)
			continue
		}
		label, address := passport.CheckLink(l)
		if label != passport.OK {
			row.LabelError = m["errLinkLabel"]
			form.ErrorList = append(form.ErrorList, fieldError{"link-label-" + strconv.Itoa(n), row.LabelError})
		}
		switch {
		case address == passport.NotHTTPS:
			row.URLError = m["errLinkHTTP"]
		case address != passport.OK:
			row.URLError = m["errLinkURL"]
		case seen[l.URL]:
			row.URLError = m["errLinkDup"]
		}
		if row.URLError != "" {
			form.ErrorList = append(form.ErrorList, fieldError{"link-url-" + strconv.Itoa(n), row.URLError})
		}
		seen[l.URL] = true
		form.LinkRows = append(form.LinkRows, row)
		if label == passport.OK && row.URLError == "" {
			form.Links = append(form.Links, l)
		}
	}
	return form
}

// richData is the richer part of the "my badges" page: the stored
// headline, links and layout, or form when the student's last submission
// was refused.
func (s *Server) richData(p *passport.Passport, titles map[string]string, lang string, form *richForm) *richForm {
	m := messages[lang]
	out := form
	if out == nil {
		out = &richForm{}
		if p != nil {
			out.Headline = p.Headline
			for i, l := range p.Links {
				out.LinkRows = append(out.LinkRows, linkRow{N: i + 1, Label: l.Label, URL: l.URL})
			}
		}
		for n := len(out.LinkRows) + 1; n <= passport.MaxLinks; n++ {
			out.LinkRows = append(out.LinkRows, linkRow{N: n})
		}
	}
	for i := range out.LinkRows {
		r := &out.LinkRows[i]
		r.LabelText = m["linkLabel"] + " " + strconv.Itoa(r.N)
		r.URLText = m["linkURL"] + " " + strconv.Itoa(r.N)
	}
	if p == nil {
		return out
	}
	if out.Layout == nil {
		seen := map[string]bool{}
		for i, a := range p.Awards {
			row := layoutRow{N: i + 1, Key: a.Space + ":" + a.Award, Title: titles[a.Space+"/"+a.Award], Pos: i + 1, Group: p.GroupOf[a]}
			if row.Title == "" {
				row.Title = a.Space + "/" + a.Award // no longer in the site
			}
			out.Layout = append(out.Layout, row)
			if row.Group != "" && !seen[row.Group] {
				seen[row.Group] = true
				out.Groups = append(out.Groups, row.Group)
			}
		}
	}
	return out
}

// savePassportLayout saves the order of the passport's badges and their
// groups: rows award_N ("space:award"), pos_N and group_N. An award of the
// passport missing from the form keeps its place after the others and no
// group; one not on the passport is ignored.
func (s *Server) savePassportLayout(w http.ResponseWriter, r *http.Request, sess Session) {
	m := messages[lang(r)]
	p, err := s.cfg.Store.Passport(r.Context(), sess.Subject)
	if err != nil {
		s.back(w, r, "needPassport")
		return
	}
	on := map[string]passport.AwardRef{}
	for _, a := range p.Awards {
		on[a.Space+":"+a.Award] = a
	}
	type placed struct {
		ref   passport.AwardRef
		pos   int
		order int
	}
	var rows []placed
	var layout []layoutRow
	var errs []fieldError
	groups := map[passport.AwardRef]string{}
	names := map[string]bool{}
	got := map[passport.AwardRef]bool{}
	for n := 1; n <= len(p.Awards); n++ {
		ns := strconv.Itoa(n)
		ref, ok := on[r.PostForm.Get("award_"+ns)]
		if !ok || got[ref] {
			continue
		}
		got[ref] = true
		pos, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("pos_" + ns)))
		if err != nil {
			pos = n
		}
		g := strings.TrimSpace(r.PostForm.Get("group_" + ns))
		row := layoutRow{N: n, Key: ref.Space + ":" + ref.Award, Pos: pos, Group: g}
		if passport.CheckGroupName(g) != passport.OK {
			row.GroupError = m["errGroup"]
			errs = append(errs, fieldError{"group-" + ns, row.GroupError})
		} else if g != "" {
			if !names[g] && len(names) == passport.MaxGroups {
				row.GroupError = m["errTooManyGroups"]
				errs = append(errs, fieldError{"group-" + ns, row.GroupError})
			}
			names[g] = true
			groups[ref] = g
		}
		layout = append(layout, row)
		rows = append(rows, placed{ref, pos, n})
	}
	for i, a := range p.Awards {
		if !got[a] {
			rows = append(rows, placed{a, len(p.Awards) + 1 + i, len(p.Awards) + 1 + i})
		}
	}
	if len(errs) > 0 {
		d := s.meData(r, sess, nil)
		titles := map[string]string{}
		for _, row := range d.Rich.Layout {
			titles[row.Key] = row.Title
		}
		for i := range layout {
			layout[i].Title = titles[layout[i].Key]
		}
		d.Rich.Layout, d.Rich.LayoutErrors = layout, errs
		s.render(w, r, http.StatusUnprocessableEntity, "me", d)
		return
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].pos != rows[j].pos {
			return rows[i].pos < rows[j].pos
		}
		return rows[i].order < rows[j].order
	})
	awards := make([]passport.AwardRef, len(rows))
	for i, x := range rows {
		awards[i] = x.ref
	}
	if err := s.cfg.Store.SetPassportLayout(r.Context(), sess.Subject, awards, groups, s.cfg.Now()); err != nil {
		if errors.Is(err, ErrNotFound) {
			s.back(w, r, "needPassport")
			return
		}
		s.internal(w, r, "save passport layout", err)
		return
	}
	_ = s.cfg.Store.Audit(r.Context(), sess.Subject, "passport-layout", "", s.cfg.Now())
	s.changed()
	s.back(w, r, "saved")
}
