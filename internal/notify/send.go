package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
	"golang.org/x/time/rate"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/markdown"
	"github.com/francebadge/blason/internal/model"
)

// Composer turns events into messages.
type Composer struct {
	Site      *model.Site
	Config    *config.Notify
	Templates *Templates
	Now       func() time.Time // the Date header; nil means time.Now
	md        *markdown.Renderer
}

// domain is the sender's domain, for Message-IDs.
func (c *Composer) domain() string {
	if _, d, ok := strings.Cut(c.Config.From, "@"); ok && d != "" {
		return d
	}
	return "blason.invalid"
}

// Compose renders an event's message, addressed to `to` (the award row's
// address, or a test address).
func (c *Composer) Compose(ev *Event, to string) (*mail.Msg, *Rendered, error) {
	if c.md == nil {
		c.md = markdown.New()
	}
	d := dataOf(c.Site, Layout(c.Site), ev, c.Config.ClaimURL, c.md)
	r, err := c.Templates.Render(d)
	if err != nil {
		return nil, nil, err
	}
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := m.FromFormat(c.Config.FromName, c.Config.From); err != nil {
		return nil, nil, fmt.Errorf("notify.from: %w", err)
	}
	if err := m.AddToFormat(d.Name, to); err != nil {
		// The library's error quotes the address: it is not repeated.
		return nil, nil, fmt.Errorf("%s: the e-mail address cannot be used in a message", ev.Award.Source())
	}
	if c.Config.ReplyTo != "" {
		if err := m.ReplyTo(c.Config.ReplyTo); err != nil {
			return nil, nil, fmt.Errorf("notify.replyTo: %w", err)
		}
	}
	m.Subject(r.Subject)
	m.SetMessageIDWithValue(ev.MessageID(c.domain()))
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	m.SetDateWithValue(now())
	m.SetGenHeader(mail.HeaderContentLang, d.Lang)
	// A transactional message (RFC 3834): no auto-reply to it.
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, r.Text)
	m.AddAlternativeString(mail.TypeTextHTML, r.HTML)
	return m, r, nil
}

// Sender sends messages through the configured SMTP server, a batch per
// connection, at the configured rate.
type Sender struct {
	Config   *config.Notify
	Password string // from BLASON_SMTP_PASSWORD
	Timeout  time.Duration
	client   *mail.Client
	limiter  *rate.Limiter
	conn     bool // a connection is open
	inBatch  int  // messages sent through it
}

// NewSender checks the TLS settings and makes a sender; nothing is dialled
// yet.
func NewSender(n *config.Notify, password string) (*Sender, error) {
	s := &Sender{Config: n, Password: password, Timeout: 30 * time.Second}
	opts := []mail.Option{mail.WithPort(n.Port), mail.WithTimeout(s.Timeout), mail.WithoutNoop()}
	tc := &tls.Config{ServerName: n.Host, MinVersion: tls.VersionTLS12}
	if n.CAFile != "" {
		pem, err := os.ReadFile(n.CAFile)
		if err != nil {
			return nil, fmt.Errorf("notify.caFile: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("notify.caFile %s holds no PEM certificate", n.CAFile)
		}
		tc.RootCAs = pool
	}
	switch n.Security {
	case "tls":
		opts = append(opts, mail.WithSSL(), mail.WithTLSConfig(tc))
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(tc))
	}
	if n.Username != "" {
		opts = append(opts, mail.WithUsername(n.Username), mail.WithPassword(password), mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover))
	}
	c, err := mail.NewClient(n.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP server %s: %w", n, err)
	}
	s.client = c
	s.limiter = rate.NewLimiter(rate.Limit(n.PerSecond), 1)
	return s, nil
}

// Prepare waits for the rate limit, then opens a connection when none is
// open or when the batch is full: after it, a message can go at once.
func (s *Sender) Prepare(ctx context.Context) error {
	if err := s.limiter.Wait(ctx); err != nil {
		return err
	}
	if s.conn && s.inBatch >= s.Config.BatchSize {
		s.Close()
	}
	if s.conn {
		return nil
	}
	if err := s.client.DialWithContext(ctx); err != nil {
		return fmt.Errorf("cannot reach the SMTP server %s: %w (check notify.host, notify.port, notify.security, the password in %s and the network)", s.Config, err, config.EnvSMTPPassword)
	}
	s.conn, s.inBatch = true, 0
	return nil
}

// Close ends the connection.
func (s *Sender) Close() {
	if s.conn {
		s.client.Close()
	}
	s.conn, s.inBatch = false, 0
}

// Outcome is what became of one message.
type Outcome int

// The outcomes of a send.
const (
	Accepted  Outcome = iota // the server took it
	Refused                  // refused for good (5xx for this recipient): not retried
	Deferred                 // refused for now (4xx) or not handed over: due again
	Uncertain                // the connection broke after the data went out: unknown
)

// Send sends one message, waiting for the rate limit first. A non-nil
// error with Refused or Deferred says why; with Deferred or Uncertain the
// run must stop.
func (s *Sender) Send(ctx context.Context, m *mail.Msg) (Outcome, string, error) {
	if err := s.Prepare(ctx); err != nil {
		return Deferred, "", err
	}
	return s.Transact(m)
}

// Transact sends one message through the open connection (see Prepare).
func (s *Sender) Transact(m *mail.Msg) (Outcome, string, error) {
	err := s.client.Send(m)
	s.inBatch++
	if err == nil || m.IsDelivered() {
		return Accepted, "", nil
	}
	s.Close() // start the next message on a fresh connection
	var se *mail.SendError
	if !errors.As(err, &se) {
		return Deferred, "", err
	}
	code := se.ErrorCode()
	detail := ""
	if code > 0 {
		detail = strconv.Itoa(code)
		if esc := se.EnhancedStatusCode(); esc != "" {
			detail += " " + esc
		}
	}
	switch se.Reason {
	case mail.ErrSMTPRcptTo, mail.ErrSMTPData, mail.ErrSMTPDataClose:
		if code >= 500 {
			return Refused, detail, nil
		}
		if code >= 400 {
			return Deferred, detail, fmt.Errorf("the SMTP server refused a message for now (%s): run blason notify again later", detail)
		}
		if se.Reason == mail.ErrSMTPDataClose {
			return Uncertain, detail, fmt.Errorf("the connection to the SMTP server broke at the end of a message (%s)", what(se))
		}
	case mail.ErrWriteContent:
		return Uncertain, detail, fmt.Errorf("the connection to the SMTP server broke while a message was sent (%s)", what(se))
	case mail.ErrSMTPMailFrom:
		if code >= 500 {
			return Deferred, detail, fmt.Errorf("the SMTP server refuses the sender %s (%s): check notify.from and notify.username", s.Config.From, detail)
		}
	}
	return Deferred, detail, fmt.Errorf("the SMTP server refused a message (%s): run blason notify again once the server accepts messages", what(se))
}

// what describes a send error by its stage and reply code only: the
// library's text names the recipients, and servers' replies often quote
// the address too, so neither is printed.
func what(se *mail.SendError) string {
	s := se.Reason.String()
	if c := se.ErrorCode(); c > 0 {
		s += ", " + strconv.Itoa(c)
		if esc := se.EnhancedStatusCode(); esc != "" {
			s += " " + esc
		}
	}
	return s
}

// Report is a run's outcome.
type Report struct {
	Sent     int
	Refused  []string // event ids the server refused for good
	Elapsed  time.Duration
	Stopped  error  // why the run stopped early, or nil
	Deferred string // the event that was due when the run stopped
}

// Run sends the pending events of p, journaling each before and after its
// SMTP transaction. progress, when set, is called after each message
// (event id, outcome). It stops at the first temporary failure or broken
// connection, with the journal consistent: the next run goes on.
//
// At high rates (an interval under GroupBelow between messages), the
// "sent" record of a message is written with the "begin" record of the
// next one, in one write and one sync: half the syncs, and a crash in
// between leaves that message uncertain (held back), never duplicated.
func Run(ctx context.Context, j *Journal, p *Plan, c *Composer, s *Sender, progress func(ev *Event, o Outcome)) *Report {
	r := &Report{}
	start := time.Now()
	group := s.Config.PerSecond > 0 && time.Duration(float64(time.Second)/s.Config.PerSecond) < GroupBelow
	var held []Record // a "sent" record waiting for the next "begin"
	defer func() {
		if len(held) > 0 {
			if err := j.Append(held...); err != nil && r.Stopped == nil {
				r.Stopped = err
			}
		}
		r.Elapsed = time.Since(start)
		s.Close()
	}()
	for _, ev := range p.Pending {
		m, _, err := c.Compose(ev, ev.Award.Recipient.Email)
		if err != nil {
			r.Stopped = err
			return r
		}
		// The rate wait and the connection come before "begin", so that a
		// server that cannot be reached leaves nothing uncertain.
		if err := s.Prepare(ctx); err != nil {
			r.Stopped = err
			return r
		}
		mid := ev.MessageID(c.domain())
		if err := j.Append(append(held, Record{State: Begin, Event: ev.ID, MessageID: mid})...); err != nil {
			r.Stopped = err
			return r
		}
		held = held[:0]
		o, detail, err := s.Transact(m)
		var rec Record
		switch o {
		case Accepted:
			rec = Record{State: Sent, Event: ev.ID, MessageID: mid}
			r.Sent++
		case Refused:
			rec = Record{State: Failed, Event: ev.ID, MessageID: mid, Detail: detail}
			r.Refused = append(r.Refused, ev.ID)
		case Deferred:
			rec = Record{State: Retry, Event: ev.ID, MessageID: mid, Detail: detail}
		case Uncertain:
			// Left as "begin": the next run holds it back (docs/notify.md).
		}
		switch {
		case rec.State == Sent && group && err == nil:
			held = append(held, rec)
		case rec.State != "":
			if jerr := j.Append(rec); jerr != nil {
				r.Stopped = jerr
				return r
			}
		}
		if progress != nil {
			progress(ev, o)
		}
		if err != nil {
			r.Stopped, r.Deferred = err, ev.ID
			return r
		}
		if ctx.Err() != nil {
			r.Stopped = ctx.Err()
			return r
		}
	}
	return r
}

// GroupBelow is the interval between messages under which a "sent"
// record waits for the next "begin" (see Run).
const GroupBelow = 20 * time.Millisecond

// SendTest sends one message to addr (--to-test): nothing is journaled.
func SendTest(ctx context.Context, s *Sender, m *mail.Msg) error {
	defer s.Close()
	o, detail, err := s.Send(ctx, m)
	if o == Refused {
		return fmt.Errorf("the SMTP server refused the test message for good (%s)", detail)
	}
	if err != nil {
		return err
	}
	return nil
}

// WriteOutbox writes a message as DIR/<space>-<award id>-<kind>.eml and
// its HTML part beside it (--dry-run); it returns the .eml path.
func WriteOutbox(dir string, ev *Event, m *mail.Msg, r *Rendered) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	base := filepath.Join(dir, ev.Award.Badge.Space.Slug+"-"+ev.Award.ID+"-"+ev.Kind)
	f, err := os.OpenFile(base+".eml", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := m.WriteTo(f); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.WriteFile(base+".html", []byte(r.HTML), 0o600); err != nil {
		return "", err
	}
	return base + ".eml", nil
}

// Fictional is the event --to-test sends when nothing is pending: the
// first award of the site, to a fictional recipient.
func Fictional(site *model.Site) (*Event, bool) {
	for _, sp := range site.Spaces {
		for _, a := range sp.Awards {
			return &Event{ID: EventID(a, KindIssued), Kind: KindIssued, Award: a, Lang: langOf(site, a)}, true
		}
	}
	return nil, false
}

// Anonymous returns a copy of ev whose recipient is fictional: a test
// message never carries a real recipient's name.
func Anonymous(ev *Event, lang string) *Event {
	a := *ev.Award
	a.Recipient = model.Identity{Name: "Camille Exemple"}
	e := *ev
	e.Award = &a
	if lang != "" {
		e.Lang = lang
	}
	return &e
}
