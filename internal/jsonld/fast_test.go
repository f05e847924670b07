package jsonld

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"
)

// jsonGoldIRI is what the fast path must decide for a value put in place of
// an IRI placeholder, from json-gold's own functions: an absolute IRI,
// which must pass json-gold's URL test when it is an http(s) one.
func jsonGoldIRI(v string) bool {
	if !ld.IsAbsoluteIri(v) {
		return false
	}
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		return ld.IsURL(v)
	}
	return true
}

var iriValues = []string{
	"", "a", "_:b", "relative/x", "/abs/path", "//host/x", "#frag", "?q",
	"did:web:badges.example.fr:ecole", "did:web:x%3A8443", "urn:uuid:0f4c7c2e-2f1b-4c1a-9b47-8a0a3d3b2d6f", "urn:x#%zz", "urn:x#%41",
	"mailto:a@b.example", "a:/b", "a://b", "a:b/c?d#e", "a:%zz", "a:b\x01", "a:b\x7f", "a: b", "a:\u00e9", "1a:b", "+a:b", "a+.-1:b", ":b",
	"http:x", "https:x", "HTTPS://X.EXAMPLE/a", "Http://x.example/a",
	"https://x.example", "https://x.example/", "https://x.example/a?b#c", "https://x.example?q", "https://x.example#f", "https://x.example:8443/a",
	"https://x.example:99999/a", "https://x.example:/a", "https://x.example:abc/a", "https://user@x.example/a", "https://user:pw@x.example/a",
	"https://x_y.example/a", "https://-x.example/a", "https://.x.example/a", "https://x..example/a", "https://x.example./a",
	"https://[::1]/a", "https://[::1]:80/a", "https://[fe80::1%25en0]/a", "https://127.0.0.1/a", "https://999.1.1.1/a", "https://localhost/a",
	"https://x.example/a%20b", "https://x.example/a%zz", "https://x.example/ a", "https://x.example/a\tb", "https://x.example/\u00e9",
	"https://x.example/a\"b", "https://x.example/a\\b", "https://x.example/a<b>", "https://x.example/[a]", "https://x.example/a|b{c}",
	"https://\u00e9cole.example/a", "https://x.example\u00e9/a", "https://x.example/a" + strings.Repeat("b", 2100), "http://127.0.0.1:8123/x?y#z",
	"https://placeholder.invalid/v3", "urn:placeholder:v1", "https://x", "https://x/a", "https://a.b.c.d.example/a/b/c/",
	"ftp://x.example/a", "wss://x.example/a", "file:///etc/passwd", "https:///a", "https://x.example//a",
}

// TestIRIOKMatchesJSONGold checks the shortcuts iriOK takes against
// json-gold's functions. iriOK may refuse an IRI json-gold takes (the
// document then goes the slow way), never the other way round; and it
// takes the IRIs credentials are made of.
func TestIRIOKMatchesJSONGold(t *testing.T) {
	c := NewCanonicalizer(NewLoader())
	for pass := range 2 { // the origins are remembered on the first pass
		for _, v := range iriValues {
			if got, want := c.iriOK(v), jsonGoldIRI(v); got && !want {
				t.Errorf("pass %d: iriOK(%q) = %v, json-gold says %v", pass, v, got, want)
			}
		}
	}
	for _, v := range []string{"did:web:badges.example.fr:ecole", "urn:uuid:0f4c7c2e-2f1b-4c1a-9b47-8a0a3d3b2d6f", "mailto:a@b.example",
		"https://badges.example.fr/ecole/credentials/y4/y4si26wztvi2dafaa3tpmojbry.json", "https://x.example/a?b#c", "https://x.example:8443/a", "http://127.0.0.1:8123/x?y#z"} {
		if !c.iriOK(v) || !jsonGoldIRI(v) {
			t.Errorf("iriOK(%q) = %v, json-gold says %v: want both true", v, c.iriOK(v), jsonGoldIRI(v))
		}
	}
}

// FuzzIRIOK checks on arbitrary values that iriOK takes no IRI json-gold
// refuses.
func FuzzIRIOK(f *testing.F) {
	for _, v := range iriValues {
		f.Add(v)
	}
	f.Add("http://#@00")
	c := NewCanonicalizer(NewLoader())
	f.Fuzz(func(t *testing.T, v string) {
		if c.iriOK(v) && !jsonGoldIRI(v) {
			t.Fatalf("iriOK(%q) = true, json-gold says false", v)
		}
	})
}

// decodeBoth decodes a JSON document twice: with numbers as json.Number
// (as the issuer's maps hold them) and as float64 (as json.Unmarshal has
// them).
func decodeBoth(t *testing.T, doc string) []map[string]any {
	t.Helper()
	var a, b map[string]any
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	if err := d.Decode(&a); err != nil {
		t.Fatalf("%v: %s", err, doc)
	}
	if err := json.Unmarshal([]byte(doc), &b); err != nil {
		t.Fatal(err)
	}
	return []map[string]any{a, b}
}

// fastPath reports whether c canonicalizes doc by filling a template, and
// checks that filling it with a map to find duplicate quads (instead of the
// pairs of the template) gives want too, or goes the slow way.
func fastPath(t *testing.T, c *Canonicalizer, doc map[string]any, want string) bool {
	t.Helper()
	var s scratch
	w := &s.w
	w.reset(c, false)
	c.mu.RLock()
	w.walk(doc, "", false)
	tpl := c.templates[string(w.shape)]
	c.mu.RUnlock()
	if tpl == nil || tpl.slow {
		return false
	}
	quads := append([]tquad(nil), tpl.quads...)
	byMap := compile(quads, tpl.explicitType, 0)
	if !byMap.mapDedup && len(byMap.pairs) > 0 {
		t.Fatal("compile with no pairs allowed did not fall back to a map")
	}
	out, err := c.fill(nil, byMap, w.vals, &s.fillScratch)
	if !errors.Is(err, errSlow) && (err != nil || string(out) != want) {
		t.Errorf("fill with a map: %v\n%s\nwant\n%s", err, out, want)
	}
	out, err = c.fill(nil, tpl, w.vals, &s.fillScratch)
	if errors.Is(err, errSlow) {
		return false
	}
	if err != nil || string(out) != want {
		t.Errorf("fill: %v\n%s", err, out)
	}
	return true
}

// TestCanonicalizerMatchesJSONGold cross-checks the fast path with
// json-gold's ToRDF (SafeMode) + URDNA2015 on documents made to reach its
// corners: self-referencing and twin blank nodes, values that make quads
// equal, escapes, languages and datatypes, numbers, IRIs of every sort,
// placeholder look-alikes, many values of one property. Each document is
// canonicalized twice (building the template, then using it) and decoded
// both with json.Number and float64.
func TestCanonicalizerMatchesJSONGold(t *testing.T) {
	const ctx = `"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]`
	vc := func(body string) string {
		return `{` + ctx + `, "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": {"id": "did:web:x.example", "type": "Profile", "name": "X"}, ` + body + `}`
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	type tc struct {
		name  string
		docs  []string
		fast  bool // the fast path must take every document
		fresh bool // a canonicalizer per document (no structural keys from the ones before)
	}
	var tests []tc

	var loops, shared []string
	for i := range 40 {
		loops = append(loops, `{"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "_:x", "type": "VerifiableCredential", "issuer": "_:x", "validFrom": "2025-01-01T00:00:00Z", "credentialSubject": {"id": "_:y", "name": "v`+fmt.Sprint(i)+`"}}`)
		shared = append(shared, vc(`"evidence": [{"type": "Evidence", "narrative": "n`+fmt.Sprint(i%3)+`"}, {"type": "Evidence", "narrative": "n`+fmt.Sprint(i%3)+`"}], "credentialSubject": {"type": "AchievementSubject", "identifier": [{"type": "IdentityObject", "hashed": false, "identityHash": "h", "identityType": "emailAddress"}, {"type": "IdentityObject", "hashed": false, "identityHash": "h`+fmt.Sprint(i%2)+`", "identityType": "emailAddress"}]}`))
	}
	tests = append(tests, tc{name: "self-referencing blank node", docs: loops, fast: true}, tc{name: "twin blank nodes", docs: shared, fast: true})

	var dups []string
	for _, x := range [][3]string{{"a", "a", "b"}, {"a", "b", "a"}, {"a", "b", "c"}, {"", "", ""}, {"x\"", "x\"", "x\\"}} {
		dups = append(dups, vc(`"credentialSubject": {"type": "AchievementSubject", "achievement": {"id": "https://x.example/a", "type": "Achievement", "name": "N", "description": "D", "criteria": {"narrative": "C"}, "tag": [`+q(x[0])+`, `+q(x[1])+`, `+q(x[2])+`]}}`))
		dups = append(dups, vc(`"credentialSubject": {"type": "AchievementSubject", "achievement": {"id": "https://x.example/a", "type": "Achievement", "name": "N", "description": "D", "criteria": {"narrative": "C"},
			"resultDescription": [{"id": "https://x.example/r", "type": "ResultDescription", "name": "R", "resultType": "RubricCriterionLevel", "rubricCriterionLevel": [
				{"id": `+q("https://x.example/"+x[0])+`, "type": "RubricCriterionLevel", "name": `+q(x[1])+`, "level": "l"},
				{"id": `+q("https://x.example/"+x[1])+`, "type": "RubricCriterionLevel", "name": `+q(x[0])+`, "level": "l"},
				{"id": `+q("https://x.example/"+x[2])+`, "type": "RubricCriterionLevel", "name": "n", "level": `+q(x[2])+`}]}]}}`))
	}
	tests = append(tests, tc{name: "values that make quads equal", docs: dups})

	// json-gold merges the values of a property as JSON-LD values: the same
	// RDF term may come out twice.
	const xsd = "http://www.w3.org/2001/XMLSchema#"
	tests = append(tests, tc{name: "values json-gold does not merge", docs: []string{
		vc(`"credentialSubject": {"type": "AchievementSubject", "name": [1, {"@value": 1, "@index": "i"}], "description": "d"}`),
		vc(`"credentialSubject": {"type": "AchievementSubject", "name": [1, {"@value": "1", "@type": "` + xsd + `integer"}], "description": "d"}`),
		vc(`"credentialSubject": {"type": "AchievementSubject", "name": [1, {"@value": "2", "@type": "` + xsd + `integer"}], "description": "d"}`),
		vc(`"credentialSubject": {"type": "AchievementSubject", "name": ["a", {"@value": "a", "@type": "` + xsd + `string"}], "description": "d"}`),
		vc(`"credentialSubject": {"type": "AchievementSubject", "name": ["a", {"@value": "b", "@type": "` + xsd + `string"}], "description": "d"}`),
		vc(`"credentialSubject": {"type": "AchievementSubject", "name": [{"@list": []}, {"@list": []}], "description": "d"}`),
		vc(`"credentialSubject": [{"id": "https://x.example/s", "name": {"@list": []}}, {"id": "https://x.example/s", "name": {"@list": []}}]`),
		vc(`"credentialSubject": [{"id": "https://x.example/s", "name": {"@list": []}}, {"id": "https://x.example/t", "name": {"@list": []}}]`),
		vc(`"credentialSubject": [{"id": "https://x.example/s", "name": {"@list": ["a", "a"]}}, {"id": "https://x.example/s", "name": {"@list": ["a"]}}]`),
		vc(`"credentialSubject": [{"id": "https://x.example/s", "name": "n", "description": "d"}, {"id": "https://x.example/s", "name": "n", "description": {"@value": "d", "@type": "` + xsd + `string"}}]`),
		vc(`"credentialSubject": [{"id": "https://x.example/s", "name": "n", "description": "d"}, {"id": "https://x.example/s", "name": "n", "description": "d"}]`),
		vc(`"credentialSubject": [{"id": "https://x.example/s", "name": "n", "description": "d"}, {"id": "https://x.example/t", "name": "n", "description": "d"}]`),
		vc(`"credentialSubject": [{"id": "https://x.example/s", "type": "Image"}, {"id": "https://x.example/s", "type": "Image"}]`),
		vc(`"credentialSubject": [{"id": "https://x.example/s", "type": "Image"}, {"id": "https://x.example/t", "type": "Image"}]`),
		vc(`"credentialSubject": {"id": "https://x.example/s", "type": "Image", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": {"id": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Image"}}`),
		vc(`"credentialSubject": {"id": "https://x.example/s", "type": "Image", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": {"id": "https://x.example/T"}}`),
		vc(`"credentialSubject": [{"id": "https://x.example/s", "type": "Image"}, {"id": "https://x.example/s", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": {"id": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Image"}}]`),
	}})

	var many []string
	for _, n := range []int{1, 50, 300} {
		var tags []string
		for i := range n {
			tags = append(tags, q(fmt.Sprint("t", i%(n/2+1))))
		}
		many = append(many, vc(`"credentialSubject": {"type": "AchievementSubject", "achievement": {"id": "https://x.example/a", "type": "Achievement", "name": "N", "description": "D", "criteria": {"narrative": "C"}, "tag": [`+strings.Join(tags, ",")+`]}}`))
	}
	tests = append(tests, tc{name: "many values of one property", docs: many, fast: true})
	many = nil
	for _, typed := range []string{"t0", "t1", "u"} {
		var tags []string
		for i := range 300 {
			tags = append(tags, q(fmt.Sprint("t", i%200)))
		}
		tags = append(tags, `{"@value": "`+typed+`", "@type": "http://www.w3.org/2001/XMLSchema#string"}`)
		many = append(many, vc(`"credentialSubject": {"type": "AchievementSubject", "achievement": {"id": "https://x.example/a", "type": "Achievement", "name": "N", "description": "D", "criteria": {"narrative": "C"}, "tag": [`+strings.Join(tags, ",")+`]}}`))
	}
	tests = append(tests, tc{name: "many values of one property, one typed", docs: many})

	var texts []string
	for _, s := range []string{"", "plain", "quote \" backslash \\ newline \n cr \r tab \t end", "\\\"\\n", "é « » — 😀", "\u2028\u0000\u001f\u007f", "<https://x.example/> .\n_:b0 <p> \"o\" ."} {
		texts = append(texts, vc(`"name": `+q(s)+`, "credentialSubject": {"type": "AchievementSubject", "achievement": {"id": "https://x.example/a", "type": "Achievement", "name": `+q(s)+`, "description": `+q(s+s)+`, "criteria": {"narrative": `+q(s)+`}}}`))
	}
	tests = append(tests, tc{name: "escapes", docs: texts, fast: true})

	tests = append(tests, tc{name: "languages and datatypes", docs: []string{
		`{"@context": ["https://www.w3.org/ns/credentials/v2", {"@language": "fr"}], "type": "VerifiableCredential", "issuer": "did:web:x", "name": "Nom", "description": {"@value": "Desc", "@language": "en"}, "validFrom": "2025-01-01T00:00:00Z", "credentialSubject": {"name": {"@value": "2025-01-01", "@type": "http://www.w3.org/2001/XMLSchema#date"}}}`,
		`{"@context": ["https://www.w3.org/ns/credentials/v2", {"@language": "fr"}], "type": "VerifiableCredential", "issuer": "did:web:x", "name": "Autre", "description": {"@value": "D\"2", "@language": "de"}, "validFrom": "not a date", "credentialSubject": {"name": {"@value": "x", "@type": "https://x.example/t"}}}`,
		`{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiableCredential", "issuer": "did:web:x", "name": {"@value": "a", "@type": "http://www.w3.org/2001/XMLSchema#string"}, "description": "a", "credentialSubject": {"name": ["a", {"@value": "a", "@type": "http://www.w3.org/2001/XMLSchema#string"}]}}`,
	}})

	tests = append(tests, tc{name: "numbers, booleans and nulls", docs: []string{
		vc(`"credentialStatus": {"id": "https://x.example/s#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": 7, "statusListCredential": "https://x.example/s"}, "credentialSubject": {"type": "AchievementSubject", "identifier": [{"type": "IdentityObject", "hashed": true, "identityHash": "h", "identityType": "emailAddress", "salt": null}]}`),
		vc(`"credentialStatus": {"id": "https://x.example/s#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": 1.5, "statusListCredential": "https://x.example/s"}, "credentialSubject": {"type": "AchievementSubject", "identifier": [{"type": "IdentityObject", "hashed": false, "identityHash": "h", "identityType": "emailAddress"}]}`),
		vc(`"credentialStatus": {"id": "https://x.example/s#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": 1e21, "statusListCredential": "https://x.example/s"}, "credentialSubject": {"type": "AchievementSubject"}`),
		vc(`"credentialStatus": {"id": "https://x.example/s#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": -0, "statusListCredential": "https://x.example/s"}, "credentialSubject": {"type": "AchievementSubject"}`),
	}})

	var iris []string
	for _, v := range iriValues {
		if len(v) > 200 {
			continue
		}
		iris = append(iris, vc(`"id": `+q(v)+`, "credentialSubject": {"id": `+q(v)+`, "type": "AchievementSubject", "achievement": {"id": "https://x.example/a", "type": "Achievement", "name": "N", "description": "D", "criteria": {"id": `+q(v)+`, "narrative": "C"}, "alignment": [{"type": "Alignment", "targetName": "T", "targetUrl": `+q(v)+`}]}}`))
	}
	tests = append(tests, tc{name: "IRIs of every sort", docs: iris, fresh: true})

	var looks []string
	for _, v := range []string{"https://placeholder.invalid/v0", "https://placeholder.invalid/v1", "urn:placeholder:v0", "urn:placeholder:v2", "\u2063v0\u2063", "\u2063v1\u2063", "v0"} {
		looks = append(looks, vc(`"name": `+q(v)+`, "credentialSubject": {"id": `+q(v)+`, "type": "AchievementSubject", `+q(v)+`: "x"}`))
	}
	tests = append(tests, tc{name: "placeholder look-alikes", docs: looks})

	l := NewLoader()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCanonicalizer(l) // one per case: the structural keys are state
			fast, all := 0, 0
			defer func() { t.Logf("%d of %d documents took the fast path", fast, all) }()
			for i, doc := range tt.docs {
				if tt.fresh {
					c = NewCanonicalizer(l)
				}
				for _, m := range decodeBoth(t, doc) {
					want, werr := Canonicalize(l, m)
					for pass := range 2 {
						got, gerr := c.Canonicalize(m)
						if (werr == nil) != (gerr == nil) || got != want {
							t.Fatalf("doc %d pass %d: json-gold %v, fast %v\n%s\nGOT\n%s\nWANT\n%s", i, pass, werr, gerr, doc, got, want)
						}
						var buf bytes.Buffer
						buf.WriteString("prefix")
						b, aerr := c.AppendCanonical(buf.Bytes(), m)
						if (aerr == nil) != (werr == nil) || string(b) != "prefix"+want {
							t.Fatalf("doc %d pass %d: AppendCanonical: %v\n%s", i, pass, aerr, b)
						}
					}
					if werr != nil {
						continue
					}
					all++
					if fastPath(t, c, m, want) {
						fast++
					} else if tt.fast {
						t.Errorf("doc %d went the slow way: %s (structural keys %v)", i, doc, c.StructuralKeys())
					}
				}
			}
		})
	}
}
