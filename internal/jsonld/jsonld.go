// Package jsonld holds the JSON-LD contexts Blason publishes against,
// embedded in the binary, and a document loader that serves them and refuses
// every other URL: no context is ever fetched over the network.
package jsonld

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/piprate/json-gold/ld"
)

//go:embed contexts/*
var files embed.FS

// Context URLs.
const (
	OpenBadgesV2    = "https://w3id.org/openbadges/v2"
	CredentialsV2   = "https://www.w3.org/ns/credentials/v2"
	OpenBadgesV3    = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	OBExtensions    = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
	DataIntegrityV2 = "https://w3id.org/security/data-integrity/v2"
	MultikeyV1      = "https://w3id.org/security/multikey/v1"
	JWKV1           = "https://w3id.org/security/jwk/v1"
	StatusListV1    = "https://www.w3.org/ns/credentials/status/v1"
	CIDV1           = "https://www.w3.org/ns/cid/v1"
	DIDV1           = "https://www.w3.org/ns/did/v1"
)

var byURL = map[string]string{
	OpenBadgesV2:    "contexts/openbadges-v2.json",
	CredentialsV2:   "contexts/credentials-v2.jsonld",
	OpenBadgesV3:    "contexts/ob-v3p0-3.0.3.json",
	OBExtensions:    "contexts/ob-v3p0-extensions.json",
	DataIntegrityV2: "contexts/data-integrity-v2.jsonld",
	MultikeyV1:      "contexts/multikey-v1.jsonld",
	JWKV1:           "contexts/jwk-v1.jsonld",
	StatusListV1:    "contexts/status-list-v1.jsonld",
	CIDV1:           "contexts/cid-v1.jsonld",
	DIDV1:           "contexts/did-v1.jsonld",
}

// Loader serves the embedded contexts. It is safe for concurrent use; parsed
// documents are cached.
type Loader struct {
	mu    sync.Mutex
	cache map[string]*ld.RemoteDocument
}

var _ ld.DocumentLoader = (*Loader)(nil)

// NewLoader returns a loader of the embedded contexts.
func NewLoader() *Loader { return &Loader{cache: map[string]*ld.RemoteDocument{}} }

// LoadDocument returns the embedded context at u, or an error naming u when
// it is not one of the embedded contexts.
func (l *Loader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d, ok := l.cache[u]; ok {
		return d, nil
	}
	name, ok := byURL[u]
	if !ok {
		return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, fmt.Sprintf("unknown context %s: only embedded contexts are used, never the network", u))
	}
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	doc, err := ld.DocumentFromReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	d := &ld.RemoteDocument{DocumentURL: u, Document: doc}
	l.cache[u] = d
	return d, nil
}

// Bytes returns the embedded copy of the context at u.
func Bytes(u string) ([]byte, bool) {
	name, ok := byURL[u]
	if !ok {
		return nil, false
	}
	b, err := files.ReadFile(name)
	return b, err == nil
}

// ExpandStrict expands a JSON document in SafeMode with the embedded
// contexts: a term no context defines is an error naming it, where plain
// expansion would silently drop it.
func ExpandStrict(l *Loader, doc []byte) ([]any, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, err
	}
	out, err := expand(l, v)
	if err != nil {
		if terms := undefinedTerms(l, v); len(terms) > 0 {
			return nil, fmt.Errorf("undefined term(s) %s: %w", strings.Join(terms, ", "), err)
		}
	}
	return out, err
}

func expand(l *Loader, v any) ([]any, error) {
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = l
	opts.SafeMode = true
	opts.ProcessingMode = ld.JsonLd_1_1
	return ld.NewJsonLdProcessor().Expand(v, opts)
}

// undefinedTerms names the keys whose removal makes SafeMode expansion
// succeed, and no other. json-gold's error does not say which term failed;
// this search runs only on that error path. Removing every key must succeed
// (else the error is not about terms); then each key is put back, the
// shallowest first, unless expansion fails without its removal. What is
// left is a minimal set: each key in it is undefined, and a container is
// named only when what it holds is not (fooBar inside credentialSubject
// names fooBar).
func undefinedTerms(l *Loader, v any) []string {
	depth := map[string]int{} // deepest level at which each key occurs
	var walk func(any, int)
	walk = func(x any, d int) {
		switch x := x.(type) {
		case map[string]any:
			for k, y := range x {
				if k == "@context" {
					continue
				}
				if !strings.HasPrefix(k, "@") && d >= depth[k] {
					depth[k] = d + 1
				}
				walk(y, d+1)
			}
		case []any:
			for _, y := range x {
				walk(y, d)
			}
		}
	}
	walk(v, 0)
	keys := make([]string, 0, len(depth))
	removed := make(map[string]bool, len(depth))
	for k := range depth {
		keys = append(keys, k)
		removed[k] = true
	}
	// "type" first: it selects type-scoped contexts, which define other
	// terms (validFrom under VerifiableCredential). Then shallowest keys
	// first, so that a container is kept when removing what it holds is
	// enough.
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "type") != (keys[j] == "type") {
			return keys[i] == "type"
		}
		if depth[keys[i]] != depth[keys[j]] {
			return depth[keys[i]] < depth[keys[j]]
		}
		return keys[i] < keys[j]
	})
	expands := func() bool { _, err := expand(l, without(v, removed)); return err == nil }
	if !expands() {
		return nil // the error is not about undefined terms
	}
	// A key put back may define others (through a scoped context): try
	// again until nothing more can be put back.
	for changed := true; changed; {
		changed = false
		for _, k := range keys {
			if !removed[k] {
				continue
			}
			delete(removed, k)
			if expands() {
				changed = true
			} else {
				removed[k] = true
			}
		}
	}
	found := make([]string, 0, len(removed))
	for k := range removed {
		found = append(found, k)
	}
	sort.Strings(found)
	return found
}

// without returns a deep copy of v lacking the given keys (outside @context).
func without(v any, keys map[string]bool) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, y := range x {
			if k == "@context" {
				m[k] = y
			} else if !keys[k] {
				m[k] = without(y, keys)
			}
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = without(y, keys)
		}
		return out
	}
	return v
}

// Add serves doc at u in addition to the embedded contexts; tests use it for
// the contexts of third-party test vectors.
func (l *Loader) Add(u string, doc []byte) error {
	d, err := ld.DocumentFromReader(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cache[u] = &ld.RemoteDocument{DocumentURL: u, Document: d}
	return nil
}

// ContextsDigest is a hash of every embedded context, for cache keys.
func ContextsDigest() string {
	urls := make([]string, 0, len(byURL))
	for u := range byURL {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	h := sha256.New()
	for _, u := range urls {
		b, _ := files.ReadFile(byURL[u])
		h.Write([]byte(u))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}
