// An Open Badges 2.0 verifier built on third-party libraries: jsonld.js
// (JSON-LD expansion and compaction under the OB 2.0 context, in safe mode
// but for one exception, see Run.compact) and jose (RS256 compact JWS). It applies the verification procedure and the
// data validation rules of Open Badges 2.0 (IMS Final, 2018, sections
// "Verification" and "Data Validation"), with the rule list of 1EdTech's
// reference validator (openbadges-validator-core) where the specification
// leaves a choice, and none of Blason's code. There is no JSON Schema step:
// 1EdTech publishes JSON Schemas for Open Badges 3.0 only, none for 2.0.
//
// Input on stdin, one JSON document:
//
//	{
//	  "contexts": {"https://w3id.org/openbadges/v2": "/path/to/openbadges-v2.json"},
//	  "allow": ["http://127.0.0.1:PORT/"],   // the only URL prefixes fetched
//	  "now": "2026-01-15T12:00:00Z",         // reference time (default: the clock)
//	  "concurrency": 8,
//	  "items": [
//	    {"name": "...", "hosted": "http://…/assertion.json", "recipient": {"type": "email", "identity": "…"}},
//	    {"name": "...", "signed": "<compact JWS>", "recipient": {…}, "now": "2025-01-01T00:00:00Z"}
//	  ]
//	}
//
// Output on stdout: {"results": [{"name", "status", "problems", "warnings"}]}
// in input order; status is valid, expired, revoked or invalid. Nothing is
// fetched outside the allowed prefixes and the local contexts.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compactVerify, decodeProtectedHeader, importSPKI } from 'jose';
import jsonld from 'jsonld';

const OB2 = 'https://w3id.org/openbadges/v2';

// The UUID form the 1EdTech validator accepts in an `id`: RFC 4122,
// versions 1 to 5, RFC 4122 variant.
const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const ANY_URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{12}$/i;
// ISO 8601 date-time with a time zone (the specification's DateTime).
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;
const TELEPHONE = /^\+?[1-9]\d{1,14}(;ext=\d+)?$/; // E.164
const IDENTITY_HASH = /^(sha256\$[0-9a-f]{64}|md5\$[0-9a-f]{32})$/i;
const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/; // BCP 47 shape
const IDENTITY_TYPES = ['email', 'url', 'telephone', 'id'];

const listOf = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const isText = (v) => typeof v === 'string';
const hasType = (doc, ...names) => listOf(doc?.type).some((t) => names.includes(t));

function isURL(v) {
  if (!isText(v)) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
  } catch {
    return false;
  }
}

// isIRI is the validator's notion of an IRI: an http(s) URL, a blank node
// identifier or a urn:uuid: of RFC 4122 versions 1–5.
const isIRI = (v) => isText(v) && (isURL(v) || v.startsWith('_:') || URN_UUID.test(v));

function isDateTime(v) {
  return isText(v) && DATETIME.test(v) && !Number.isNaN(Date.parse(v));
}

// uuidProblem explains why a urn:uuid: is refused, or returns ''.
function uuidProblem(id) {
  if (URN_UUID.test(id)) return '';
  const m = ANY_URN_UUID.exec(id);
  if (!m) return `id ${id} is not a urn:uuid: UUID`;
  const parts = [];
  if (!/[1-5]/.test(m[1])) parts.push(`version ${parseInt(m[1], 16)}`);
  if (!/[89ab]/i.test(m[2])) parts.push(`variant nibble ${m[2]}`);
  return `id ${id}: UUID ${parts.join(' and ')}; Open Badges 2.0 validators accept RFC 4122 UUIDs of versions 1–5 (RFC 4122 variant)`;
}

class Run {
  constructor(input) {
    this.allow = listOf(input.allow);
    this.contexts = new Map();
    for (const [url, file] of Object.entries(input.contexts ?? {})) {
      this.contexts.set(url, JSON.parse(readFileSync(file, 'utf8')));
    }
    if (!this.contexts.has(OB2)) throw new Error(`no local copy of the context ${OB2}`);
    this.now = input.now ? new Date(input.now) : new Date();
    this.cache = new Map(); // URL → Promise of {doc, compacted, contentType}
    this.loader = async (url) => {
      const ctx = this.contexts.get(url) ?? this.contexts.get(url.replace(/\/$/, ''));
      if (ctx) return { contextUrl: null, documentUrl: url, document: ctx };
      const { doc } = await this.fetchJSON(url);
      return { contextUrl: null, documentUrl: url, document: doc };
    };
  }

  allowed(url) {
    return this.allow.some((p) => url.startsWith(p));
  }

  // fetchRaw GETs a URL, following up to five redirects ("an eventual 200
  // OK"), each of which must stay within the allowed prefixes.
  async fetchRaw(url) {
    let u = url;
    for (let hop = 0; hop <= 5; hop++) {
      if (!this.allowed(u)) throw new Error(`${u} is outside the allowed prefixes (no network)`);
      const res = await fetch(u, { headers: { Accept: 'application/ld+json, application/json' }, redirect: 'manual' });
      const body = Buffer.from(await res.arrayBuffer());
      const loc = res.headers.get('location');
      if ([301, 302, 303, 307, 308].includes(res.status) && loc) {
        u = new URL(loc, u).href;
        continue;
      }
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', body, url: u };
    }
    throw new Error(`${url}: more than five redirects`);
  }

  async fetchJSON(url) {
    return this.parseJSON(await this.fetchRaw(url), url);
  }

  parseJSON(r, url) {
    if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status}`);
    let doc;
    try {
      doc = JSON.parse(r.body.toString('utf8'));
    } catch (e) {
      throw new Error(`GET ${url}: not JSON (${e.message})`);
    }
    return { doc, contentType: r.contentType };
  }

  // compact expands a document in safe mode (an undefined term, a value that
  // does not expand or a relative IRI fails) and compacts it under the OB 2.0
  // context: the rules below read the compacted form, as the reference
  // validator does. It returns the compacted document and the notes (one
  // exception to safe mode, below) for the report's warnings.
  //
  // The exception: an IdentityObject's type "id". Open Badges 2.0 lists id
  // among the recipient identity types and its reference validator accepts
  // it, but the OB 2.0 context maps the term id to the keyword @id, so
  // "type": "id" expands to "@type": "@id", which JSON-LD safe mode rejects as
  // a relative @type reference. Only that event, for that value, is let
  // through, and noted.
  async compact(doc, base) {
    if (!listOf(doc?.['@context']).includes(OB2)) {
      throw new Error(`@context is ${JSON.stringify(doc?.['@context'])}, not ${OB2}`);
    }
    const notes = [];
    const identityTypeId = ({ event, next }) => {
      if (event.code === 'relative @type reference' && ['id', '@id'].includes(event.details?.type) && doc.recipient?.type === 'id') {
        if (!notes.length) notes.push('JSON-LD: the recipient type "id" expands to the keyword @id (OB 2.0 context), not an IRI; accepted as the specification lists it');
        return;
      }
      next();
    };
    const opts = { documentLoader: this.loader, base, eventHandler: [identityTypeId, jsonld.safeEventHandler] };
    try {
      const expanded = await jsonld.expand(doc, opts);
      if (expanded.length !== 1) throw new Error(`expands to ${expanded.length} nodes, want 1`);
      const compacted = await jsonld.compact(expanded, OB2, { ...opts, compactToRelative: false });
      return { compacted, notes };
    } catch (e) {
      const ev = e.details?.event;
      const what = ev ? ` ${ev.code}: ${JSON.stringify(ev.details ?? {})}` : '';
      throw new Error(`JSON-LD (safe mode): ${e.message}${what}`);
    }
  }

  // node fetches a linked document once per run and compacts it.
  node(url) {
    if (!this.cache.has(url)) {
      this.cache.set(url, (async () => {
        const { doc, contentType } = await this.fetchJSON(url);
        return { doc, contentType, ...(await this.compact(doc, url)) };
      })());
    }
    return this.cache.get(url);
  }

  image(url) {
    const key = 'image ' + url;
    if (!this.cache.has(key)) {
      this.cache.set(key, this.fetchRaw(url));
    }
    return this.cache.get(key);
  }
}

// Report collects what one input's verification found.
class Report {
  constructor(name) {
    this.name = name;
    this.problems = [];
    this.warnings = [];
    this.revoked = '';
    this.expired = '';
  }
  fail(msg) {
    this.problems.push(msg);
  }
  warn(msg) {
    this.warnings.push(msg);
  }
  result() {
    let status = 'valid';
    if (this.revoked) status = 'revoked';
    else if (this.problems.length) status = 'invalid';
    else if (this.expired) status = 'expired';
    const problems = [...this.problems];
    if (this.revoked) problems.unshift(this.revoked);
    if (this.expired) problems.push(this.expired);
    return { name: this.name, status, problems, warnings: this.warnings };
  }
}

// checkProps applies the property rules of one class to a compacted node.
function checkProps(rep, what, node, rules) {
  for (const [prop, rule] of Object.entries(rules)) {
    const v = node[prop];
    if (v === undefined) {
      if (rule.required) rep.fail(`${what}: required property ${prop} missing`);
      continue;
    }
    const values = rule.many ? listOf(v) : [v];
    if (!rule.many && Array.isArray(v)) {
      rep.fail(`${what}: ${prop} must hold one value`);
      continue;
    }
    for (const x of values) {
      if (!rule.check(x)) rep.fail(`${what}: ${prop} ${JSON.stringify(x).slice(0, 120)} is not ${rule.kind}`);
    }
  }
}

const text = { check: isText, kind: 'text' };
const iri = { check: isIRI, kind: 'an IRI (http(s) URL, _: or urn:uuid: v1–5)' };
const url = { check: isURL, kind: 'an http(s) URL' };
const dateTime = { check: isDateTime, kind: 'an ISO 8601 date-time with time zone' };
const req = (r) => ({ ...r, required: true });
const many = (r) => ({ ...r, many: true });
const imageRef = {
  check: (x) => isURL(x) || (isText(x) && /^data:image\/(png|svg\+xml)[;,]/.test(x)) || (x && typeof x === 'object' && (isURL(x.id) || /^data:image\//.test(x.id ?? ''))),
  kind: 'an image (http(s) URL, PNG/SVG data URI or Image)',
};

async function checkImage(run, rep, what, ref) {
  const id = typeof ref === 'object' ? ref.id : ref;
  if (!isURL(id)) return;
  try {
    const r = await run.image(id);
    if (r.status !== 200) rep.fail(`${what}: image ${id}: HTTP ${r.status}`);
    else if (!/^image\/(png|svg\+xml)\b/.test(r.contentType)) rep.fail(`${what}: image ${id} is ${r.contentType}, not PNG or SVG`);
  } catch (e) {
    rep.fail(`${what}: image ${id}: ${e.message}`);
  }
}

function hashIdentity(alg, value, salt) {
  return alg + '$' + createHash(alg).update(value + (salt ?? ''), 'utf8').digest('hex');
}

// checkAssertion applies the data validation rules of an Assertion and
// returns the issuer Profile (compacted) and the BadgeClass, or null.
async function checkAssertion(run, rep, a, expected, now) {
  const what = `Assertion ${a.id ?? '(no id)'}`;
  if (!hasType(a, 'Assertion')) rep.fail(`${what}: type ${JSON.stringify(a.type)} is not Assertion`);
  checkProps(rep, what, a, {
    // (the version of a urn:uuid: id is checked, and reported, by verifySigned)
    id: req({ check: (x) => isIRI(x) || (isText(x) && ANY_URN_UUID.test(x)), kind: iri.kind }),
    badge: req({ check: (x) => isIRI(x) || (x && typeof x === 'object'), kind: 'a BadgeClass IRI' }),
    recipient: req({ check: (x) => x && typeof x === 'object' && !Array.isArray(x), kind: 'an IdentityObject' }),
    verification: req({ check: (x) => x && typeof x === 'object' && !Array.isArray(x), kind: 'a VerificationObject' }),
    issuedOn: req(dateTime),
    expires: dateTime,
    image: { check: isURL, kind: 'an http(s) URL (no data URI on an Assertion)' },
    narrative: text,
    evidence: many({ check: (x) => isIRI(x) || (x && typeof x === 'object' && (x.id === undefined || isIRI(x.id))), kind: 'an Evidence IRI or object' }),
    '@language': { check: (x) => isText(x) && LANGUAGE.test(x), kind: 'a BCP 47 language tag' },
  });
  for (const ev of listOf(a.evidence)) {
    if (ev && typeof ev === 'object') {
      for (const p of ['narrative', 'name', 'description', 'genre', 'audience']) {
        if (ev[p] !== undefined && !isText(ev[p])) rep.fail(`${what}: evidence ${p} is not text`);
      }
    }
  }

  // Recipient: an IdentityObject matching the identity the verifier holds.
  const r = a.recipient;
  if (r && typeof r === 'object') {
    if (!IDENTITY_TYPES.includes(r.type)) rep.fail(`${what}: recipient type ${JSON.stringify(r.type)} is not one of ${IDENTITY_TYPES.join(', ')}`);
    if (typeof r.hashed !== 'boolean') rep.fail(`${what}: recipient hashed is not a boolean`);
    if (!isText(r.identity)) rep.fail(`${what}: recipient identity is not text`);
    if (r.salt !== undefined && !isText(r.salt)) rep.fail(`${what}: recipient salt is not text`);
    if (r.hashed === true && isText(r.identity) && !IDENTITY_HASH.test(r.identity)) {
      rep.fail(`${what}: recipient identity ${r.identity} is not a sha256$ or md5$ IdentityHash`);
    }
    if (r.hashed === false && isText(r.identity) && IDENTITY_HASH.test(r.identity)) {
      rep.fail(`${what}: recipient is not hashed but its identity looks like a hash`);
    }
    if (expected) {
      if (r.type !== expected.type) {
        rep.fail(`${what}: recipient type ${r.type}, expected ${expected.type}`);
      } else if (r.hashed === true && IDENTITY_HASH.test(r.identity ?? '')) {
        const alg = r.identity.split('$')[0].toLowerCase();
        if (hashIdentity(alg, expected.identity, r.salt) !== r.identity.toLowerCase()) {
          rep.fail(`${what}: recipient hash ${r.identity} does not match the expected ${expected.type} identity`);
        }
      } else if (r.hashed === false) {
        const same = expected.type === 'email' ? r.identity?.toLowerCase() === expected.identity.toLowerCase() : r.identity === expected.identity;
        if (!same) rep.fail(`${what}: recipient identity does not match the expected ${expected.type} identity`);
      }
    }
  }

  // Dates.
  if (isDateTime(a.issuedOn)) {
    const issued = new Date(a.issuedOn);
    if (issued > now) rep.fail(`${what}: issuedOn ${a.issuedOn} is in the future`);
    if (isDateTime(a.expires)) {
      const exp = new Date(a.expires);
      if (exp < issued) rep.fail(`${what}: expires ${a.expires} is before issuedOn`);
      else if (exp < now) rep.expired = `${what} expired on ${a.expires}`;
    }
  }

  // BadgeClass and issuer Profile, fetched.
  if (typeof a.badge !== 'string' || !isURL(a.badge)) {
    rep.fail(`${what}: badge is not a fetchable BadgeClass URL`);
    return {};
  }
  let badge;
  try {
    badge = (await run.node(a.badge)).compacted;
  } catch (e) {
    rep.fail(`${what}: BadgeClass ${a.badge}: ${e.message}`);
    return {};
  }
  const bw = `BadgeClass ${a.badge}`;
  if (badge.id !== a.badge) rep.fail(`${bw}: id ${badge.id} is not the URL it is published at`);
  if (!hasType(badge, 'BadgeClass')) rep.fail(`${bw}: type ${JSON.stringify(badge.type)} is not BadgeClass`);
  checkProps(rep, bw, badge, {
    id: req(iri),
    name: req(text),
    description: req(text),
    image: req(imageRef),
    criteria: req({ check: (x) => isIRI(x) || (x && typeof x === 'object' && (isIRI(x.id) || isText(x.narrative)) && (x.id === undefined || isIRI(x.id)) && (x.narrative === undefined || isText(x.narrative))), kind: 'a Criteria (IRI, or object with an id or a narrative)' }),
    issuer: req({ check: isURL, kind: 'a fetchable issuer Profile URL' }),
    alignment: many({ check: (x) => x && typeof x === 'object' && isText(x.targetName) && isURL(x.targetUrl) && ['targetDescription', 'targetFramework', 'targetCode'].every((p) => x[p] === undefined || isText(x[p])), kind: 'an AlignmentObject (targetName, http(s) targetUrl, text fields)' }),
    tags: many(text),
    '@language': { check: (x) => isText(x) && LANGUAGE.test(x), kind: 'a BCP 47 language tag' },
  });
  if (badge.image !== undefined) await checkImage(run, rep, bw, badge.image);
  if (!isURL(badge.issuer)) return { badge };
  let issuer;
  try {
    issuer = (await run.node(badge.issuer)).compacted;
  } catch (e) {
    rep.fail(`${bw}: issuer ${badge.issuer}: ${e.message}`);
    return { badge };
  }
  const iw = `Profile ${badge.issuer}`;
  if (issuer.id !== badge.issuer) rep.fail(`${iw}: id ${issuer.id} is not the URL it is published at`);
  if (!hasType(issuer, 'Issuer', 'Profile')) rep.fail(`${iw}: type ${JSON.stringify(issuer.type)} is neither Issuer nor Profile`);
  if (!/^https?:\/\//.test(issuer.id ?? '')) rep.fail(`${iw}: id is not an HTTP(S) URL`);
  checkProps(rep, iw, issuer, {
    id: req(iri),
    name: req(text),
    url: req(url),
    email: req({ check: (x) => isText(x) && EMAIL.test(x), kind: 'an e-mail address' }),
    telephone: { check: (x) => isText(x) && TELEPHONE.test(x), kind: 'an E.164 telephone number' },
    description: text,
    image: imageRef,
    publicKey: many(iri),
    revocationList: iri,
    verification: { check: (x) => x && typeof x === 'object', kind: 'a VerificationObject' },
    '@language': { check: (x) => isText(x) && LANGUAGE.test(x), kind: 'a BCP 47 language tag' },
  });
  if (issuer.image !== undefined) await checkImage(run, rep, iw, issuer.image);
  return { badge, issuer };
}

// checkRevocationList reads the issuer's list, validates it and reports
// whether id is listed.
async function checkRevocationList(run, rep, issuer, id) {
  if (issuer.revocationList === undefined) return;
  const lw = `RevocationList ${issuer.revocationList}`;
  let list;
  try {
    list = (await run.node(issuer.revocationList)).compacted;
  } catch (e) {
    rep.fail(`${lw}: ${e.message}`);
    return;
  }
  if (!hasType(list, 'RevocationList')) rep.fail(`${lw}: type ${JSON.stringify(list.type)} is not RevocationList`);
  if (list.issuer !== undefined && list.issuer !== issuer.id) rep.fail(`${lw}: issuer ${list.issuer} is not ${issuer.id}`);
  if (list.revokedAssertions === undefined) {
    rep.fail(`${lw}: required property revokedAssertions missing`);
    return;
  }
  for (const entry of listOf(list.revokedAssertions)) {
    const eid = typeof entry === 'string' ? entry : entry?.id ?? entry?.uid;
    if (typeof entry !== 'string' && entry?.id === undefined && entry?.uid === undefined) {
      rep.fail(`${lw}: an entry has neither id nor uid`);
      continue;
    }
    if (entry?.uid === undefined && !isIRI(eid)) rep.fail(`${lw}: entry ${eid} is not an IRI (urn:uuid: v1–5 or URL)`);
    if (eid === id) {
      const reason = typeof entry === 'object' && entry.revocationReason ? `: ${entry.revocationReason}` : '';
      rep.revoked = `revoked in ${issuer.revocationList}${reason}`;
    }
  }
}

async function verifyHosted(run, rep, assertionURL, expected, now) {
  if (!isURL(assertionURL)) {
    rep.fail(`${assertionURL} is not an http(s) URL`);
    return;
  }
  // 410 Gone is how a hosted assertion may say it is revoked.
  let fetched;
  try {
    const raw = await run.fetchRaw(assertionURL);
    if (raw.status === 410) {
      rep.revoked = `revoked (HTTP 410 Gone at ${assertionURL})`;
      return;
    }
    fetched = run.parseJSON(raw, assertionURL);
  } catch (e) {
    rep.fail(e.message);
    return;
  }
  const { doc, contentType } = fetched;
  if (!/^application\/(ld\+)?json\b/.test(contentType)) rep.fail(`${assertionURL}: Content-Type ${contentType} is not application/ld+json or application/json`);
  // A document that fails JSON-LD validation is reported, and checked further
  // as written.
  let a = doc;
  try {
    const c = await run.compact(doc, assertionURL);
    a = c.compacted;
    c.notes.forEach((n) => rep.warn(`${assertionURL}: ${n}`));
  } catch (e) {
    rep.fail(`${assertionURL}: ${e.message}`);
  }
  // The fetched copy is the source of truth; a revoked assertion is a
  // document with revoked: true (or a 410).
  if (a.revoked === true) {
    rep.revoked = `revoked (tombstone at ${assertionURL}${a.revocationReason ? `: ${a.revocationReason}` : ''})`;
    if (a.id !== assertionURL) rep.fail(`tombstone id ${a.id} is not ${assertionURL}`);
    return;
  }
  if (a.revoked !== undefined && typeof a.revoked !== 'boolean') rep.fail(`${assertionURL}: revoked is not a boolean`);
  if (a.id !== assertionURL) rep.fail(`hosted Assertion id ${a.id} is not the URL it was fetched from (${assertionURL})`);
  const { badge, issuer } = await checkAssertion(run, rep, a, expected, now);
  if (!hasType(a.verification, 'HostedBadge', 'hosted')) rep.fail(`Assertion ${a.id}: verification type ${JSON.stringify(a.verification?.type)} is not HostedBadge`);
  if (!issuer) return;
  // Verification scope: the issuer's policy, by default the issuer id's origin.
  const policy = issuer.verification && typeof issuer.verification === 'object' ? issuer.verification : {};
  const starts = listOf(policy.startsWith);
  if (starts.length && !starts.some((s) => a.id.startsWith(s))) rep.fail(`Assertion ${a.id} does not start with the issuer's startsWith ${starts.join(', ')}`);
  const origins = policy.allowedOrigins !== undefined ? listOf(policy.allowedOrigins) : [new URL(issuer.id).host];
  let host = '';
  try {
    host = new URL(a.id).host;
  } catch {}
  if (!origins.includes(host)) rep.fail(`Assertion ${a.id} is not hosted on the issuer's allowed origins ${origins.join(', ')}`);
  // The specification's default scope covers the BadgeClass too (the
  // reference validator checks the Assertion only).
  if (policy.allowedOrigins === undefined && badge && isURL(badge.id) && !origins.includes(new URL(badge.id).host)) {
    rep.fail(`BadgeClass ${badge.id} is not on the issuer's origin ${origins.join(', ')}`);
  }
  // A hosted assertion is revoked by what its URL serves (above); the
  // revocation list is for signed assertions.
}

function b64urlJSON(part, what) {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new Error(`${what} is not base64url`);
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

async function verifySigned(run, rep, token, expected, now) {
  const parts = isText(token) ? token.trim().split('.') : [];
  if (parts.length !== 3) {
    rep.fail('not a compact JWS (three base64url parts)');
    return;
  }
  let header, doc;
  try {
    header = decodeProtectedHeader(token.trim());
    doc = b64urlJSON(parts[1], 'payload');
  } catch (e) {
    rep.fail(`JWS: ${e.message}`);
    return;
  }
  if (header.alg !== 'RS256') rep.fail(`JWS alg ${header.alg}, want RS256`);
  let a = doc;
  try {
    const c = await run.compact(doc, undefined);
    a = c.compacted;
    c.notes.forEach((n) => rep.warn(`signed Assertion ${a.id}: ${n}`));
  } catch (e) {
    rep.fail(`signed Assertion ${doc?.id}: ${e.message}`);
  }
  rep.name = rep.name || a.id;
  if (isText(a.id) && a.id.toLowerCase().startsWith('urn:uuid:')) {
    const p = uuidProblem(a.id);
    if (p) rep.fail(p);
  } else if (!isURL(a.id)) {
    rep.fail(`signed Assertion id ${a.id} is neither a urn:uuid: nor an http(s) URL`);
  }
  const { issuer } = await checkAssertion(run, rep, a, expected, now);
  const v = a.verification ?? {};
  if (!hasType(v, 'SignedBadge', 'signed')) rep.fail(`Assertion ${a.id}: verification type ${JSON.stringify(v.type)} is not SignedBadge`);
  if (!isURL(v.creator)) {
    rep.fail(`Assertion ${a.id}: verification.creator ${JSON.stringify(v.creator)} is not a key URL`);
    return;
  }
  if (!issuer) return;
  // The key: listed by the issuer, owned by it, and verifying the signature.
  if (!listOf(issuer.publicKey).includes(v.creator)) rep.fail(`key ${v.creator} is not in the issuer's publicKey ${JSON.stringify(issuer.publicKey ?? [])}`);
  let key;
  try {
    key = (await run.node(v.creator)).compacted;
  } catch (e) {
    rep.fail(`key ${v.creator}: ${e.message}`);
    return;
  }
  const kw = `CryptographicKey ${v.creator}`;
  if (key.id !== v.creator) rep.fail(`${kw}: id ${key.id} is not the URL it is published at`);
  if (key.type !== undefined && !hasType(key, 'CryptographicKey')) rep.fail(`${kw}: type ${JSON.stringify(key.type)} is not CryptographicKey`);
  if (key.owner !== undefined && key.owner !== issuer.id) rep.fail(`${kw}: owner ${key.owner} is not the issuer ${issuer.id}`);
  if (!isText(key.publicKeyPem)) {
    rep.fail(`${kw}: no publicKeyPem`);
  } else {
    try {
      const pub = await importSPKI(key.publicKeyPem, 'RS256');
      const { payload } = await compactVerify(token.trim(), pub, { algorithms: ['RS256'] });
      if (Buffer.compare(Buffer.from(payload), Buffer.from(parts[1], 'base64url')) !== 0) rep.fail('JWS payload differs from the verified one');
    } catch (e) {
      rep.fail(`JWS signature does not verify with ${v.creator}: ${e.code ?? ''} ${e.message}`.trim());
    }
  }
  await checkRevocationList(run, rep, issuer, a.id);
}

async function verifyItem(run, item) {
  const rep = new Report(item.name ?? '');
  const now = item.now ? new Date(item.now) : run.now;
  try {
    if (item.hosted !== undefined) await verifyHosted(run, rep, item.hosted, item.recipient, now);
    else if (item.signed !== undefined) await verifySigned(run, rep, item.signed, item.recipient, now);
    else rep.fail('item has neither hosted nor signed');
  } catch (e) {
    rep.fail(`verifier error: ${e.stack ?? e}`);
  }
  return rep.result();
}

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const run = new Run(input);
  const items = listOf(input.items);
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await verifyItem(run, items[i]);
    }
  };
  const n = Math.max(1, Math.min(input.concurrency ?? 8, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  process.stdout.write(JSON.stringify({ results }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`ob2verify: ${e.stack ?? e}\n`);
  process.exit(2);
});
