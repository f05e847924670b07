package jsonld

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/piprate/json-gold/ld"
)

// Canonicalize returns the RDF Dataset Canonicalization (RDFC-1.0, also
// known as URDNA2015) of a JSON-LD document as N-Quads. The document is
// first converted to RDF in SafeMode, so a term no context defines is an
// error naming it instead of being silently left out of what is signed
// (json-gold's Normalize ignores SafeMode, hence the two steps).
func Canonicalize(l *Loader, doc any) (string, error) {
	toRDF := ld.NewJsonLdOptions("")
	toRDF.DocumentLoader = l
	toRDF.SafeMode = true
	toRDF.ProcessingMode = ld.JsonLd_1_1
	ds, err := ld.NewJsonLdProcessor().ToRDF(doc, toRDF)
	if err != nil {
		if b, merr := json.Marshal(doc); merr == nil {
			var v any
			if json.Unmarshal(b, &v) == nil {
				if terms := undefinedTerms(l, v); len(terms) > 0 {
					return "", fmt.Errorf("undefined term(s) %s: every property must be defined by the credential's contexts", strings.Join(terms, ", "))
				}
			}
		}
		return "", fmt.Errorf("JSON-LD to RDF: %w", err)
	}
	dataset, ok := ds.(*ld.RDFDataset)
	if !ok {
		return "", fmt.Errorf("JSON-LD to RDF returned %T", ds)
	}
	norm := ld.NewJsonLdOptions("")
	norm.DocumentLoader = l
	norm.Algorithm = ld.AlgorithmURDNA2015
	norm.Format = "application/n-quads"
	norm.ProcessingMode = ld.JsonLd_1_1
	out, err := ld.NewJsonLdApi().Normalize(dataset, norm)
	if err != nil {
		return "", fmt.Errorf("RDF canonicalization: %w", err)
	}
	s, ok := out.(string)
	if !ok {
		return "", fmt.Errorf("canonicalization returned %T", out)
	}
	return s, nil
}
