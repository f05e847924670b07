// Package conformance has one job: to check every Open Badges 3.0 form the
// demo site publishes — credentials with their Data Integrity proof, VC-JWTs,
// baked images, status lists — with independent, third-party implementations
// run by Node (tools/vcverify), rather than with Blason's own verifier, which
// shares Blason's reading of the specifications. It holds tests only.
package conformance
