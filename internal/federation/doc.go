// Package federation keeps the trusted SAML identity-provider metadata of
// the claim server: it loads federation aggregates (RENATER, eduGAIN) and
// single EntityDescriptors, verifies their enveloped XML signature with
// pinned certificates while streaming, checks validUntil, and indexes the
// identity providers by entityID.
package federation
