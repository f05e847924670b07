// Package federation keeps the trusted SAML identity providers (IdPs) of
// the claim server: it loads federation metadata aggregates (RENATER,
// RENATER's eduGAIN re-publication) and single IdP EntityDescriptors,
// verifies their signature with pinned certificates, refuses expired
// metadata, and indexes the IdPs by entityID.
//
// # Use
//
//	certs, err := federation.ReadCertificateFile("renater-metadata-signing-cert.pem")
//	fed, err := federation.New(federation.Config{
//		Sources: []federation.Source{{
//			Name:         "renater",
//			Location:     "https://pub.federation.renater.fr/metadata/renater/main/main-idps-renater-metadata.xml",
//			Certificates: certs,
//		}},
//		CacheDir: "/var/lib/blason/metadata", // last good copies
//	})
//	if err := fed.Refresh(ctx); err != nil { /* logged; copies on disk may be in use */ }
//	go fed.Run(ctx) // refresh every Config.Interval (1 h)
//
//	idp, ok := fed.Lookup(entityID)     // O(1); unknown entityID: 400
//	sp := middleware.ServiceProvider    // per-request copy
//	sp.IDPMetadata = idp.Descriptor     // *saml.EntityDescriptor for crewjam
//	idp.OwnsScopedValue(eppn)           // shibmd:Scope check of scoped attributes
//	fed.Search("univ lyon", "fr", 20)   // discovery page (mdui names, accent-insensitive)
//
// # Verification
//
// A document is read once, as a stream: it is canonicalized (exclusive XML
// canonicalization, with or without comments) minus the root's enveloped
// ds:Signature and hashed on the fly; the signature over SignedInfo is
// checked with the pinned certificates as soon as it has been read (RSA or
// ECDSA with SHA-256/384/512; SHA-1 is refused); the Reference must point
// at the root element ("#" + its ID, or ""). The IdPs are decoded from the
// very tokens that were canonicalized and hashed, with the namespace
// declarations of the canonical form, and nothing is indexed unless the
// digest of the whole document matches: what is indexed is what was
// signed. DOCTYPE declarations are refused, downloads are bounded in size
// and time, an aggregate must carry a validUntil that has not passed.
//
// Only IdPs (EntityDescriptors with an IDPSSODescriptor) are kept; service
// providers of "all" aggregates are skipped. validUntil and cacheDuration
// of enclosing EntitiesDescriptors are pushed down to each IdP. A 70 MB,
// 10,000-IdP aggregate loads in a few seconds on 2 cores with a peak heap
// under 200 MB (BenchmarkLoad70MB), where crewjam's
// VerifyMetadataSignature alone takes about 22 s and 1 GB.
//
// The canonicalizer is checked against goxmldsig (the XML signature
// library under crewjam/saml) on the RENATER test feed and a table of
// tricky inputs, and against xmlsec1. Where goxmldsig departs from the
// recommendation (attributes of several namespaces ordered by local name
// instead of namespace URI; xmlns="" on an apex element; ECDSA signature
// values in ASN.1), this package follows the recommendation and xmlsec1.
//
// Logs (log/slog) name sources, entityIDs and counts, never people.
package federation
