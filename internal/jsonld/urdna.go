package jsonld

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/piprate/json-gold/ld"
)

// canonicalSimple runs RDFC-1.0 (URDNA2015) on quads of the default graph
// when every blank node has a distinct first-degree hash — the case of
// tree-shaped documents such as credentials — and serializes them as
// json-gold does. It reports false otherwise, for the full algorithm to
// take over: then the N-degree hashing decides and this shortcut is not
// exact.
func canonicalSimple(quads []*ld.Quad) (string, bool) {
	// Blank node → the quads it appears in.
	related := map[string][]*ld.Quad{}
	for _, q := range quads {
		if q.Graph != nil {
			return "", false
		}
		for _, n := range [2]ld.Node{q.Subject, q.Object} {
			if b, ok := n.(ld.BlankNode); ok {
				rel := related[b.Attribute]
				if len(rel) == 0 || rel[len(rel)-1] != q {
					related[b.Attribute] = append(rel, q)
				}
			}
		}
	}
	// Hash First Degree Quads of each blank node.
	type labelled struct{ hash, id string }
	nodes := make([]labelled, 0, len(related))
	seen := make(map[string]bool, len(related))
	var lines []string
	var sb strings.Builder
	for id, qs := range related {
		lines = lines[:0]
		for _, q := range qs {
			sb.Reset()
			writeNQuad(&sb, q, func(b string) string {
				if b == id {
					return "_:a"
				}
				return "_:z"
			})
			lines = append(lines, sb.String())
		}
		sort.Strings(lines)
		h := sha256.New()
		for _, l := range lines {
			h.Write([]byte(l))
		}
		hash := hex.EncodeToString(h.Sum(nil))
		if seen[hash] {
			return "", false // shared hash: the N-degree algorithm decides
		}
		seen[hash] = true
		nodes = append(nodes, labelled{hash, id})
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].hash < nodes[j].hash })
	canon := make(map[string]string, len(nodes))
	for i, n := range nodes {
		canon[n.id] = "_:c14n" + itoa(i)
	}
	out := make([]string, len(quads))
	for i, q := range quads {
		sb.Reset()
		writeNQuad(&sb, q, func(b string) string { return canon[b] })
		out[i] = sb.String()
	}
	sort.Strings(out)
	return strings.Join(out, ""), true
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// writeNQuad writes one quad of the default graph as json-gold's toNQuad
// does, naming blank nodes through label.
func writeNQuad(sb *strings.Builder, q *ld.Quad, label func(string) string) {
	switch s := q.Subject.(type) {
	case ld.IRI:
		sb.WriteByte('<')
		writeEscaped(sb, s.Value)
		sb.WriteByte('>')
	case ld.BlankNode:
		sb.WriteString(label(s.Attribute))
	}
	switch p := q.Predicate.(type) {
	case ld.IRI:
		sb.WriteString(" <")
		writeEscaped(sb, p.Value)
		sb.WriteString("> ")
	default:
		sb.WriteByte(' ')
		writeEscaped(sb, p.GetValue())
		sb.WriteByte(' ')
	}
	switch o := q.Object.(type) {
	case ld.IRI:
		sb.WriteByte('<')
		writeEscaped(sb, o.Value)
		sb.WriteByte('>')
	case ld.BlankNode:
		sb.WriteString(label(o.Attribute))
	case ld.Literal:
		sb.WriteByte('"')
		writeEscaped(sb, o.Value)
		sb.WriteByte('"')
		switch {
		case o.Datatype == ld.RDFLangString:
			sb.WriteByte('@')
			sb.WriteString(o.Language)
		case o.Datatype != ld.XSDString && o.Datatype != "":
			sb.WriteString("^^<")
			writeEscaped(sb, o.Datatype)
			sb.WriteByte('>')
		}
	}
	sb.WriteString(" .\n")
}

// writeEscaped escapes as json-gold's N-Quads serializer: \\ " \n \r \t.
func writeEscaped(sb *strings.Builder, s string) {
	if !strings.ContainsAny(s, "\\\"\n\r\t") {
		sb.WriteString(s)
		return
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			sb.WriteString(`\\`)
		case '"':
			sb.WriteString(`\"`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		default:
			sb.WriteByte(c)
		}
	}
}
