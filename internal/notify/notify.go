// Package notify e-mails the recipients of new awards, and of revocations
// when their space asks for it (`blason notify`, docs/notify.md): it works
// out from the content, the built site and its journal which notices are
// due, renders them from the theme's mail templates in the recipient's
// language, and sends each exactly once through SMTP, journaling every
// step so that a crash or a second run neither repeats nor skips one.
//
// Addresses come from the award rows only; nothing this package prints or
// journals names a recipient: events are named by space, award id and
// file:line.
package notify

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

// The kinds of event.
const (
	KindIssued  = "issued"
	KindRevoked = "revoked"
)

// initEvent is the journal's first record: it marks the journal as
// started (by --baseline or --initial), so that a run can tell a first
// run from a run with nothing new.
const initEvent = "*"

// Event is one notice: an award announced, or its revocation.
type Event struct {
	ID         string // "<space>/<award id>:<kind>"
	Kind       string // KindIssued or KindRevoked
	Award      *model.Award
	Lang       string           // the message's language
	Revocation model.Revocation // revocation notices
}

// MessageID is the event's Message-ID (without angle brackets): the same
// for every attempt, so that a mail client can drop a duplicate.
func (e *Event) MessageID(domain string) string {
	return e.Award.ID + "." + e.Kind + "." + e.Award.Badge.Space.Slug + "@" + domain
}

// EventID names the event of an award.
func EventID(a *model.Award, kind string) string {
	return a.Badge.Space.Slug + "/" + a.ID + ":" + kind
}

// Plan is what a run finds to do.
type Plan struct {
	Pending   []*Event // to send now
	Uncertain []*Event // begun but never confirmed: held back (see docs/notify.md)
	Failed    []string // event ids the server refused for good
	Done      int      // events sent (or baselined) by an earlier run
	Waiting   []string // awards not yet published in the site (file:line)
	NoEmail   []string // award rows without an e-mail address (file:line)
	Withheld  int      // awards revoked or suspended before their notice: never announced
	Started   bool     // the journal has been started (by --baseline or --initial)
	// Baseline are the events --baseline records as announced.
	Baseline []string
}

// Published tells whether an award's hosted files are in the built site.
type Published struct {
	dest string
	l    layout.Layout
}

// NewPublished reads the built site in dest.
func NewPublished(dest string, site *model.Site) *Published {
	return &Published{dest: dest, l: Layout(site)}
}

// Layout is the site's layout.
func Layout(site *model.Site) layout.Layout {
	return layout.Layout{Base: site.BaseURL, DefaultLang: site.Languages[0]}
}

func (p *Published) exists(path string) bool {
	fi, err := os.Stat(filepath.Join(p.dest, filepath.FromSlash(path)))
	return err == nil && fi.Mode().IsRegular()
}

// Award tells whether an award's hosted assertion and its badge image are
// published: a message never links to a page that is not there yet.
func (p *Published) Award(a *model.Award) bool {
	return p.exists(p.l.Assertion(a)) && p.exists(p.l.BadgeImage(a.Badge))
}

// Revoked tells whether an award's revocation is published: its hosted
// Open Badges 2.0 assertion says "revoked": true.
func (p *Published) Revoked(a *model.Award) bool {
	b, err := os.ReadFile(filepath.Join(p.dest, filepath.FromSlash(p.l.Assertion(a))))
	if err != nil {
		return false
	}
	var as struct {
		Revoked bool `json:"revoked"`
	}
	return json.Unmarshal(b, &as) == nil && as.Revoked
}

// Settings are the choices a plan depends on.
type Settings struct {
	Revocations     bool // notify.revocations: the default for spaces that do not say
	ResendUncertain bool // send uncertain events again (--resend-uncertain)
}

// langOf is the language of an award's messages: its row's, else the
// site's first.
func langOf(site *model.Site, a *model.Award) string {
	if a.Lang != "" {
		return a.Lang
	}
	if l := site.Languages[0]; l == "fr" || l == "en" {
		return l
	}
	return "fr"
}

// MakePlan works out the notices due. It reads the journal and the site,
// and writes nothing.
func MakePlan(site *model.Site, j *Journal, pub *Published, s Settings) *Plan {
	p := &Plan{}
	_, p.Started = j.Get(initEvent)
	for _, sp := range site.Spaces {
		wantsRevocations := s.Revocations
		if sp.NotifyRevocations != nil {
			wantsRevocations = *sp.NotifyRevocations
		}
		for _, a := range sp.Awards {
			id := EventID(a, KindIssued)
			rev, revoked := sp.Revocations[a.ID]
			rec, known := j.Get(id)
			switch {
			case !known || rec.State == Retry:
				switch {
				case revoked:
					p.Withheld++ // never announced while revoked or suspended
				case !pub.Award(a):
					p.Waiting = append(p.Waiting, a.Source())
				default:
					p.Baseline = append(p.Baseline, id)
					if a.Recipient.Email == "" {
						p.NoEmail = append(p.NoEmail, a.Source())
						continue
					}
					p.Pending = append(p.Pending, &Event{ID: id, Kind: KindIssued, Award: a, Lang: langOf(site, a)})
				}
				continue
			case rec.State == Begin:
				ev := &Event{ID: id, Kind: KindIssued, Award: a, Lang: langOf(site, a)}
				if s.ResendUncertain && !revoked && a.Recipient.Email != "" {
					p.Pending = append(p.Pending, ev)
				} else {
					p.Uncertain = append(p.Uncertain, ev)
				}
				continue
			case rec.State == Failed:
				p.Failed = append(p.Failed, id)
				continue
			case rec.State == Skipped:
				continue
			}
			p.Done++
			// Told of the award (sent, not baselined): the revocation
			// notice, when the space wants it and it is published.
			if !revoked || rev.Suspended || !wantsRevocations || rec.State != Sent || a.Recipient.Email == "" {
				continue
			}
			rid := EventID(a, KindRevoked)
			ev := &Event{ID: rid, Kind: KindRevoked, Award: a, Lang: langOf(site, a), Revocation: rev}
			rrec, rknown := j.Get(rid)
			switch {
			case !rknown || rrec.State == Retry:
				if !pub.Revoked(a) {
					p.Waiting = append(p.Waiting, a.Source())
					continue
				}
				p.Baseline = append(p.Baseline, rid)
				p.Pending = append(p.Pending, ev)
			case rrec.State == Begin:
				if s.ResendUncertain {
					p.Pending = append(p.Pending, ev)
				} else {
					p.Uncertain = append(p.Uncertain, ev)
				}
			case rrec.State == Failed:
				p.Failed = append(p.Failed, rid)
			default:
				p.Done++
			}
		}
	}
	sort.Strings(p.Failed)
	return p
}

// RecordBaseline records every published award (and published revocation) of
// the plan as announced, without sending anything.
func RecordBaseline(j *Journal, p *Plan) (int, error) {
	recs := []Record{{State: Baseline, Event: initEvent}}
	for _, id := range p.Baseline {
		recs = append(recs, Record{State: Baseline, Event: id})
	}
	return len(p.Baseline), j.Append(recs...)
}

// Start marks the journal as started without recording any event: the
// next runs send every published award not yet announced (--initial).
func Start(j *Journal) error {
	if _, ok := j.Get(initEvent); ok {
		return nil
	}
	return j.Append(Record{State: Baseline, Event: initEvent})
}

// Check returns an error naming the keys `blason notify` needs that the
// configuration lacks.
func Check(n *config.Notify, sending bool) error {
	if m := n.MissingForSending(sending); len(m) > 0 {
		return fmt.Errorf("%s not set in blason.yaml (or BLASON_NOTIFY_*): blason notify needs the public URL of blason claim (claimURL), the sender address (from) and, to send, the SMTP server (host); see docs/notify.md", strings.Join(m, ", "))
	}
	return nil
}
