// Batch verification of Open Badges 3.0 files with independent, published
// implementations: @digitalbazaar/vc with a DataIntegrityProof suite and the
// eddsa-rdfc-2022 cryptosuite (JSON-LD canonicalization in safe mode),
// @digitalbazaar/vc-bitstring-status-list, jose for VC-JWT, ajv for the
// 1EdTech JSON Schema, png-chunks-extract and @xmldom/xmldom to read baked
// images. This file is glue only: it loads documents and reports what the
// libraries say.
//
// Input (stdin, JSON):
//   {base, site, contexts: {url: file}, schema: file, now, workers,
//    items: [{id, kind, file, overrides?: {url: file}, verifyLists?: bool,
//             pair?: file}]}
// kind: credential (JSON with a Data Integrity proof), jwt (VC-JWT),
// image (PNG or SVG with a baked credential), statuslist (a status list
// credential), status-variant (only the JSON Schema and checkStatus, with
// the lists' own proofs checked when verifyLists is true).
// Output (stdout, JSON): [{id, kind, file, outcome, reasons, detail}], outcome
// one of valid, expired, revoked, suspended, invalid (or "checked" for
// status-variant, whose detail holds the libraries' answers). A jwt item's
// pair is the credential JSON the VC-JWT must carry (proof aside).
//
// The document loader never touches the network: URLs under base are read
// from site, did:web identifiers resolve to the site's did.json files,
// contexts come from the given files, and anything else is an error.

import {readFile} from 'node:fs/promises';
import {availableParallelism} from 'node:os';
import path from 'node:path';
import {Worker, isMainThread, parentPort, workerData} from 'node:worker_threads';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as jose from 'jose';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import extractChunks from 'png-chunks-extract';
import {DOMParser} from '@xmldom/xmldom';

// stdout carries the results only.
console.log = console.error;

const REGISTERED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];
const OB3_SVG_NS = 'https://purl.imsglobal.org/ob/v3p0';

if(isMainThread) {
  await main();
} else {
  const out = await runItems(workerData.input, workerData.items);
  parentPort.postMessage(out);
}

async function main() {
  const chunks = [];
  for await (const c of process.stdin) {
    chunks.push(c);
  }
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const {items, ...shared} = input;
  const n = Math.max(1, Math.min(input.workers || availableParallelism(),
    Math.ceil(items.length / 20)));
  // Round-robin split: neighbouring items (same list, same kind) spread out.
  const shares = Array.from({length: n}, () => []);
  items.forEach((it, i) => shares[i % n].push(it));
  const results = await Promise.all(shares.map(share => new Promise(
    (resolve, reject) => {
      const w = new Worker(new URL(import.meta.url), {
        workerData: {input: shared, items: share}
      });
      w.once('message', resolve);
      w.once('error', reject);
      w.once('exit', code => {
        if(code !== 0) {
          reject(new Error(`worker exited with ${code}`));
        }
      });
    })));
  process.stdout.write(JSON.stringify(results.flat()));
}

async function runItems(input, items) {
  const env = await setup(input);
  const out = new Array(items.length);
  let next = 0;
  // A few items at a time per worker: loads overlap, CPU work does not.
  await Promise.all(Array.from({length: 4}, async () => {
    while(next < items.length) {
      const i = next++;
      out[i] = await runItem(env, items[i]);
    }
  }));
  return out;
}

async function setup(input) {
  const contexts = new Map();
  for(const [url, file] of Object.entries(input.contexts)) {
    contexts.set(url, JSON.parse(await readFile(file, 'utf8')));
  }
  const ajv = new Ajv2019({allErrors: true, strict: false});
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(await readFile(input.schema, 'utf8')));
  return {
    base: new URL(input.base),
    site: input.site,
    contexts,
    validate,
    now: new Date(input.now),
    files: new Map() // path -> Promise<parsed JSON>, site files only
  };
}

async function runItem(env, item) {
  const r = {id: item.id, kind: item.kind, file: item.file, outcome: 'invalid',
    reasons: [], detail: {}};
  // A suite of its own per item: suites keep per-document state.
  env = {...env, suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022})};
  try {
    const loader = makeLoader(env, item.overrides || {});
    switch(item.kind) {
      case 'credential':
        await checkCredential(env, loader, JSON.parse(
          await readFile(item.file, 'utf8')), r);
        break;
      case 'jwt':
        await checkJWT(env, loader, (await readFile(item.file, 'utf8')).trim(), r,
          item.pair);
        break;
      case 'image':
        await checkImage(env, loader, item.file, r);
        break;
      case 'statuslist':
        await checkStatusList(env, loader, JSON.parse(
          await readFile(item.file, 'utf8')), r);
        break;
      case 'status-variant':
        await checkVariant(env, loader, JSON.parse(
          await readFile(item.file, 'utf8')), item.verifyLists === true, r);
        break;
      default:
        throw new Error(`unknown kind ${item.kind}`);
    }
  } catch(e) {
    r.outcome = 'invalid';
    r.reasons.push(`error: ${message(e)}`);
  }
  return r;
}

// ---- document loader -------------------------------------------------

function makeLoader(env, overrides) {
  const load = async url => {
    if(typeof url !== 'string') {
      throw new Error(`document loader: not a URL: ${JSON.stringify(url)}`);
    }
    if(env.contexts.has(url)) {
      return doc(url, env.contexts.get(url));
    }
    if(url.startsWith('did:')) {
      return doc(url, await resolveDID(url));
    }
    return doc(url, await siteJSON(url));
  };
  const doc = (url, document) => ({contextUrl: null, documentUrl: url, document});

  async function siteJSON(url) {
    const bare = url.split('#')[0];
    if(overrides[bare]) {
      return JSON.parse(await readFile(overrides[bare], 'utf8'));
    }
    if(!bare.startsWith(env.base.href)) {
      throw new Error(`no network: ${url} is neither under the site's base ` +
        'URL nor a known context');
    }
    const rel = decodeURIComponent(bare.slice(env.base.href.length));
    const file = path.join(env.site, ...rel.split('/'));
    if(!file.startsWith(env.site + path.sep)) {
      throw new Error(`${url} leaves the site folder`);
    }
    let p = env.files.get(file);
    if(!p) {
      p = readFile(file, 'utf8').then(JSON.parse);
      env.files.set(file, p);
    }
    // Copies: libraries may add to what they are given.
    return structuredClone(await p);
  }

  // did:web:host%3Aport:path → <scheme>://host:port/path/did.json, the scheme
  // of the site's base URL when the host is the site's (the demo is built
  // for an http loopback origin), https otherwise (then not served here).
  async function resolveDID(url) {
    const [did, fragment] = url.split('#');
    const m = /^did:web:([^:#]+)((?::[^:#]+)*)$/.exec(did);
    if(!m) {
      throw new Error(`unsupported DID ${did} (only did:web is resolved)`);
    }
    const host = decodeURIComponent(m[1]);
    const segments = m[2] ? m[2].slice(1).split(':').map(decodeURIComponent) : [];
    const scheme = host === env.base.host ? env.base.protocol : 'https:';
    const docURL = `${scheme}//${host}/` +
      (segments.length ? segments.join('/') : '.well-known') + '/did.json';
    const didDoc = await siteJSON(docURL);
    if(didDoc.id !== did) {
      throw new Error(`${docURL}: DID document id ${didDoc.id}, want ${did}`);
    }
    if(fragment === undefined) {
      return didDoc;
    }
    const vm = (didDoc.verificationMethod || []).find(v =>
      v.id === url || v.id === '#' + fragment);
    if(!vm) {
      throw new Error(`${did} has no verification method #${fragment}`);
    }
    if(vm.type === 'Multikey') {
      const key = await Ed25519Multikey.from({...vm,
        '@context': 'https://w3id.org/security/multikey/v1'});
      return key.export({publicKey: true, includeContext: true});
    }
    return {'@context': 'https://w3id.org/security/jwk/v1', ...vm};
  }

  return load;
}

// ---- checks ----------------------------------------------------------

function schemaErrors(env, credential) {
  if(env.validate(credential)) {
    return [];
  }
  return env.validate.errors.map(e =>
    `${e.instancePath || '/'} ${e.message}` +
    (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''));
}

function isExpired(env, credential) {
  return typeof credential.validUntil === 'string' &&
    new Date(credential.validUntil) < env.now;
}

// A date when the credential was valid: just before validUntil, never before
// validFrom.
function insideValidity(credential) {
  const until = new Date(credential.validUntil);
  let d = new Date(until.getTime() - 24 * 3600 * 1000);
  if(credential.validFrom && d < new Date(credential.validFrom)) {
    d = new Date(credential.validFrom);
  }
  return d;
}

async function checkCredential(env, documentLoader, credential, r) {
  r.detail.credentialId = credential.id;
  const errs = schemaErrors(env, credential);
  if(errs.length) {
    r.reasons.push(...errs.map(e => `1EdTech JSON Schema: ${e}`));
  }
  const expired = isExpired(env, credential);
  const opts = {credential, suite: env.suite, documentLoader,
    checkStatus: statusChecker(documentLoader, env.suite)};
  const res = await vc.verifyCredential({...opts, now: env.now});
  r.detail.verified = res.verified;
  if(expired) {
    // The library must say expired at the reference date, and valid before.
    const msg = res.error ? allMessages(res) : '';
    r.detail.expiredError = msg;
    if(res.verified || !/after "validUntil"/.test(msg)) {
      r.reasons.push('vc.verifyCredential at the reference date did not ' +
        `report expiry: ${msg || 'verified'}`);
    }
    const before = await vc.verifyCredential({...opts, now: insideValidity(credential)});
    r.detail.verifiedBeforeExpiry = before.verified;
    return finish(r, before, errs, expired);
  }
  return finish(r, res, errs, expired);
}

// finish turns a vc.verifyCredential result into the outcome.
function finish(r, res, errs, expired) {
  if(!res.verified && !res.statusResult) {
    r.reasons.push(`vc.verifyCredential: ${allMessages(res)}`);
  }
  const status = summarizeStatus(res.statusResult);
  if(status) {
    r.detail.status = status;
  }
  if(res.statusResult && !res.statusResult.verified) {
    r.reasons.push(`checkStatus: ${message(res.statusResult.error)}`);
  }
  return decide(r, status, expired || false);
}

// decide sets the outcome: invalid when any check failed, else the status
// a set bit gives (revocation first), else expired or valid. Set status bits
// are always listed among the reasons.
function decide(r, status, expired) {
  const failed = r.reasons.length > 0;
  const set = (status?.entries || []).filter(e => e.status);
  for(const e of set) {
    r.reasons.push(`status: ${e.statusPurpose} bit set at ` +
      `${e.statusListCredential}#${e.statusListIndex}`);
  }
  if(failed) {
    r.outcome = 'invalid';
  } else if(set.some(e => e.statusPurpose === 'revocation')) {
    r.outcome = 'revoked';
  } else if(set.some(e => e.statusPurpose === 'suspension')) {
    r.outcome = 'suspended';
  } else if(set.length) {
    r.outcome = set[0].statusPurpose;
  } else {
    r.outcome = expired ? 'expired' : 'valid';
  }
}

function statusChecker(documentLoader, suite) {
  return ({credential}) => checkStatus({credential, documentLoader, suite});
}

function summarizeStatus(sr) {
  if(!sr) {
    return null;
  }
  return {
    verified: sr.verified,
    error: sr.error ? message(sr.error) : undefined,
    entries: (sr.results || []).map(x => ({
      statusPurpose: x.credentialStatus.statusPurpose,
      statusListCredential: x.credentialStatus.statusListCredential,
      statusListIndex: x.credentialStatus.statusListIndex,
      status: x.status
    }))
  };
}

async function checkJWT(env, documentLoader, jwt, r, pair) {
  const header = jose.decodeProtectedHeader(jwt);
  r.detail.header = header;
  if(typeof header.kid !== 'string') {
    throw new Error('VC-JWT header has no kid');
  }
  // OB 3.0: alg, kid or jwk, typ "JWT" if present; no other JOSE header.
  const extra = Object.keys(header).filter(k => !['alg', 'kid', 'jwk', 'typ'].includes(k));
  if(extra.length) {
    r.reasons.push(`VC-JWT header: JOSE headers not allowed by OB 3.0: ${extra.join(', ')}`);
  }
  const jwk = (await documentLoader(header.kid)).document;
  const key = await jose.importJWK(jwk, header.alg);
  const verifyAt = currentDate => jose.jwtVerify(jwt, key, {
    algorithms: ['ES256', 'RS256', 'EdDSA'], typ: 'JWT', currentDate});
  let payload;
  let expired = false;
  try {
    ({payload} = await verifyAt(env.now));
  } catch(e) {
    if(e.code !== 'ERR_JWT_EXPIRED') {
      r.reasons.push(`jose.jwtVerify: ${e.code || ''} ${message(e)}`);
      return decide(r, null, false);
    }
    expired = true;
    r.detail.expiredError = `${e.code} ${message(e)}`;
    // A day before exp, never before nbf: the token verifies then.
    const {exp, nbf = -Infinity} = jose.decodeJwt(jwt);
    ({payload} = await verifyAt(new Date(Math.max(exp - 86400, nbf) * 1000)));
  }
  const credential = {...payload};
  for(const c of REGISTERED_CLAIMS) {
    delete credential[c];
  }
  r.detail.credentialId = credential.id;
  // OB 3.0 VC-JWT claims.
  const issuerId = typeof credential.issuer === 'object' ?
    credential.issuer?.id : credential.issuer;
  const seconds = s => Math.floor(new Date(s).getTime() / 1000);
  const claim = (ok, what) => {
    if(!ok) {
      r.reasons.push(`VC-JWT claim: ${what}`);
    }
  };
  claim(payload.iss === issuerId, `iss ${JSON.stringify(payload.iss)} ` +
    `is not the issuer id ${JSON.stringify(issuerId)}`);
  claim(payload.jti === credential.id, `jti ${JSON.stringify(payload.jti)} ` +
    `is not the credential id ${JSON.stringify(credential.id)}`);
  claim(payload.nbf === seconds(credential.validFrom), `nbf ${payload.nbf} ` +
    `is not validFrom ${credential.validFrom}`);
  if(credential.validUntil !== undefined) {
    claim(payload.exp === seconds(credential.validUntil), `exp ${payload.exp} ` +
      `is not validUntil ${credential.validUntil}`);
  } else {
    claim(payload.exp === undefined, `exp ${payload.exp} without validUntil`);
  }
  const subjectId = credential.credentialSubject?.id;
  claim(payload.sub !== undefined, 'sub is missing (OB 3.0 VC-JWT requires ' +
    `sub = credentialSubject.id; credentialSubject.id is ${subjectId === undefined ? 'absent' : JSON.stringify(subjectId)})`);
  if(payload.sub !== undefined) {
    claim(payload.sub === subjectId, `sub ${JSON.stringify(payload.sub)} is ` +
      `not credentialSubject.id ${JSON.stringify(subjectId)}`);
  }
  // The kid's key must be one the issuer publishes as an assertion method.
  try {
    const didDoc = (await documentLoader(issuerId)).document;
    const thumb = await jose.calculateJwkThumbprint(jwk);
    let listed = false;
    for(const vm of didDoc.verificationMethod || []) {
      if(vm.publicKeyJwk && await jose.calculateJwkThumbprint(vm.publicKeyJwk) === thumb &&
        (didDoc.assertionMethod || []).includes(vm.id)) {
        listed = true;
      }
    }
    claim(listed, `the kid's key is not an assertionMethod of ${issuerId}`);
  } catch(e) {
    r.reasons.push(`issuer DID document: ${message(e)}`);
  }
  for(const e of schemaErrors(env, credential)) {
    r.reasons.push(`1EdTech JSON Schema (VC-JWT payload): ${e}`);
  }
  if(pair) {
    const secured = JSON.parse(await readFile(pair, 'utf8'));
    delete secured.proof;
    if(sortedJSON(secured) !== sortedJSON(credential)) {
      r.reasons.push(`the VC-JWT payload is not the credential of ${pair} (proof aside)`);
    }
  }
  let status = null;
  if(credential.credentialStatus) {
    const sr = await checkStatus({credential, documentLoader, suite: env.suite});
    status = summarizeStatus(sr);
    r.detail.status = status;
    if(!sr.verified) {
      r.reasons.push(`checkStatus: ${message(sr.error)}`);
    }
  }
  return decide(r, status, expired);
}

async function checkImage(env, documentLoader, file, r) {
  const bytes = await readFile(file);
  let payload;
  if(file.endsWith('.png')) {
    const texts = extractChunks(bytes).filter(c => c.name === 'iTXt')
      .map(c => parseITXt(c.data)).filter(t => t.keyword === 'openbadgecredential');
    if(texts.length !== 1) {
      throw new Error(`PNG holds ${texts.length} iTXt chunks with keyword openbadgecredential`);
    }
    payload = texts[0].text;
  } else if(file.endsWith('.svg')) {
    const errors = [];
    const dom = new DOMParser({onError: (level, msg) => {
      if(level !== 'warning') {
        errors.push(msg);
      }
    }}).parseFromString(bytes.toString('utf8'), 'image/svg+xml');
    if(errors.length) {
      throw new Error(`SVG: ${errors.join('; ')}`);
    }
    const els = dom.getElementsByTagNameNS(OB3_SVG_NS, 'credential');
    if(els.length !== 1) {
      throw new Error(`SVG holds ${els.length} openbadges:credential elements`);
    }
    const el = els[0];
    payload = el.getAttribute('verify') || el.textContent;
  } else {
    throw new Error('not a PNG or SVG file name');
  }
  payload = payload.trim();
  if(payload.startsWith('{')) {
    r.detail.baked = 'credential';
    return checkCredential(env, documentLoader, JSON.parse(payload), r);
  }
  r.detail.baked = 'jwt';
  return checkJWT(env, documentLoader, payload, r);
}

// iTXt: keyword, NUL, compression flag, compression method, language tag,
// NUL, translated keyword, NUL, UTF-8 text. Open Badges forbids compression.
function parseITXt(data) {
  const buf = Buffer.from(data);
  const k = buf.indexOf(0);
  const keyword = buf.subarray(0, k).toString('latin1');
  const compressed = buf[k + 1];
  const lang = buf.indexOf(0, k + 3);
  const translated = buf.indexOf(0, lang + 1);
  if(k < 0 || lang < 0 || translated < 0) {
    throw new Error('malformed iTXt chunk');
  }
  if(compressed !== 0) {
    throw new Error('compressed iTXt chunk');
  }
  return {keyword, text: buf.subarray(translated + 1).toString('utf8')};
}

async function checkStatusList(env, documentLoader, credential, r) {
  r.detail.credentialId = credential.id;
  const res = await vc.verifyCredential({credential, suite: env.suite,
    documentLoader, now: env.now});
  r.detail.verified = res.verified;
  if(!res.verified) {
    r.reasons.push(`vc.verifyCredential: ${allMessages(res)}`);
  }
  const types = [].concat(credential.type || []);
  if(!types.includes('BitstringStatusListCredential')) {
    r.reasons.push(`type ${JSON.stringify(credential.type)} is not a BitstringStatusListCredential`);
  }
  return decide(r, null, false);
}

// For the status variants: what the schema and the status library say,
// verbatim, without deciding.
async function checkVariant(env, documentLoader, credential, verifyLists, r) {
  r.detail.schemaErrors = schemaErrors(env, credential);
  const sr = await checkStatus({credential, documentLoader, suite: env.suite,
    verifyBitstringStatusListCredential: verifyLists});
  r.detail.checkStatus = {
    verified: sr.verified,
    error: sr.error ? message(sr.error) : undefined,
    results: (sr.results || []).map(x => ({verified: x.verified,
      statusPurpose: x.credentialStatus.statusPurpose,
      statusListIndex: x.credentialStatus.statusListIndex,
      status: x.status}))
  };
  r.outcome = 'checked';
}

function sortedJSON(v) {
  return JSON.stringify(v, (k, x) => x && typeof x === 'object' && !Array.isArray(x) ?
    Object.fromEntries(Object.keys(x).sort().map(key => [key, x[key]])) : x);
}

function message(e) {
  if(!e) {
    return '';
  }
  let m = e.message || String(e);
  if(e.cause && e.cause.message && !m.includes(e.cause.message)) {
    m += ` (cause: ${e.cause.message})`;
  }
  return m;
}

// allMessages collects the errors of a vc.verifyCredential result, proofs
// included.
function allMessages(res) {
  const out = new Set();
  const add = e => {
    if(!e) {
      return;
    }
    if(Array.isArray(e)) {
      e.forEach(add);
      return;
    }
    if(e.errors) {
      add(e.errors);
    }
    out.add(message(e));
  };
  add(res.error);
  for(const x of res.results || []) {
    add(x.error);
    if(x.purposeResult?.error) {
      add(x.purposeResult.error);
    }
  }
  return [...out].filter(Boolean).join('; ') || 'not verified';
}
