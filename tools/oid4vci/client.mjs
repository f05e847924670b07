// Independent OpenID4VCI wallet: takes a credential offer
// (openid-credential-offer://...) and its transaction code, runs the
// pre-authorized code flow with @openid4vc/openid4vci, and prints on
// standard output a JSON object mapping each offered credential
// configuration to the credential received. Used by internal/claim tests.
//
// Usage: node client.mjs [--allow-http] OFFER_URI [TX_CODE]
// --allow-http lets a test issuer on loopback use plain HTTP (the library
// otherwise wants https:// URLs, as wallets do).
import { createHash, randomBytes } from 'node:crypto';
import { Openid4vciClient, setGlobalConfig } from '@openid4vc/openid4vci';
import { clientAuthenticationNone, HashAlgorithm } from '@openid4vc/oauth2';

const args = process.argv.slice(2);
if (args[0] === '--allow-http') {
  args.shift();
  setGlobalConfig({ allowInsecureUrls: true });
}
const [offerURI, txCode] = args;
if (!offerURI) {
  console.error('usage: node client.mjs [--allow-http] OFFER_URI [TX_CODE]');
  process.exit(2);
}

const client = new Openid4vciClient({
  callbacks: {
    fetch,
    hash: (data, alg) => createHash(alg === HashAlgorithm.Sha384 ? 'sha384' : alg === HashAlgorithm.Sha512 ? 'sha512' : 'sha256').update(data).digest(),
    generateRandom: (n) => randomBytes(n),
    signJwt: () => { throw new Error('no holder key: the issuer asks for no proof'); },
    clientAuthentication: clientAuthenticationNone({ clientId: 'blason-test-wallet' }),
  },
});

const offer = await client.resolveCredentialOffer(offerURI);
const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer: offer, issuerMetadata, txCode: txCode || undefined,
});
const out = { version: issuerMetadata.originalDraftVersion ?? null, credentials: {} };
for (const id of offer.credential_configuration_ids) {
  const res = await client.retrieveCredentials({
    issuerMetadata, accessToken: accessTokenResponse.access_token, credentialConfigurationId: id,
  });
  const body = res.credentialResponse;
  out.credentials[id] = body.credentials ? body.credentials[0].credential : body.credential;
}
console.log(JSON.stringify(out));
