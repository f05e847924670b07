// The in-browser verifier of the award page and of the verify/ page. It
// checks a credential step by step, as `blason verify` does, and with no
// request leaving the site's origin:
//
//   - format: OB 3.0 with a Data Integrity proof (eddsa-rdfc-2022), OB 3.0
//     VC-JWT, OB 2.0 hosted assertion, OB 2.0 signed assertion (JWS), or any
//     of these baked in a PNG (iTXt chunk) or SVG (openbadges element);
//   - signature: WebCrypto (Ed25519, ECDSA P-256, RSASSA-PKCS1-v1_5) against
//     the keys the issuer publishes; the Data Integrity proof is over the
//     RDFC-1.0 canonical form, computed by the vendored, pinned
//     assets/vendor/blason-ld.min.js with the JSON-LD contexts published
//     under assets/contexts/ (never the network);
//   - issuer: the key is one of the issuer's (its did:web document's
//     assertionMethod, its OB 2.0 profile's publicKey);
//   - recipient (optional): an e-mail typed by the visitor, hashed locally
//     with SHA-256 and the credential's salt, compared with its identity hash;
//   - expiry, and status: the Bitstring Status List (revocation, and the
//     suspension list Blason publishes at the same index), the OB 2.0
//     revocation list or a revoked assertion.
//
// window.BlasonVerify.verify(input, email) returns {format, steps, verdict}
// where verdict is valid, expired, suspended, revoked or invalid.
(function () {
  "use strict";

  var te = new TextEncoder();

  // ---- encodings ----

  function b64urlBytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function utf8(bytes) { return new TextDecoder().decode(bytes); }

  var B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  function base58(s) {
    var bytes = [0];
    for (var i = 0; i < s.length; i++) {
      var v = B58.indexOf(s[i]);
      if (v < 0) throw new Error("bad base58");
      var carry = v;
      for (var j = 0; j < bytes.length; j++) {
        carry += bytes[j] * 58;
        bytes[j] = carry & 0xff;
        carry >>= 8;
      }
      while (carry) { bytes.push(carry & 0xff); carry >>= 8; }
    }
    for (var k = 0; k < s.length && s[k] === "1"; k++) bytes.push(0);
    return new Uint8Array(bytes.reverse());
  }

  function concat(a, b) {
    var out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }

  async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }

  function hex(bytes) { return Array.from(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join(""); }

  function list(v) { return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]; }

  // ---- fetching: the site's origin only ----

  // local maps a URL (or a did:web identifier's document) to this origin,
  // refusing anything elsewhere: no request leaves the site.
  function local(u) {
    var url = new URL(u, location.href);
    if (url.origin !== location.origin) {
      // did:web documents are addressed over https; a preview served over
      // http on the same host and port is the same site.
      if (!(url.protocol === "https:" && location.protocol === "http:" && url.host === location.host)) {
        throw new Error("outside this site: " + url.href);
      }
    }
    return location.origin + url.pathname + url.search;
  }

  var cache = {};
  function get(u) {
    var key = local(u);
    if (!cache[key]) {
      cache[key] = fetch(key, { cache: "no-store", credentials: "omit" }).then(function (r) {
        if (r.status === 410) return { gone: true };
        if (!r.ok) throw new Error("HTTP " + r.status + " " + key);
        return r.text().then(function (t) { return { text: t }; });
      });
    }
    return cache[key];
  }
  async function getJSON(u) {
    var r = await get(u);
    if (r.gone) throw new Error("gone: " + u);
    return JSON.parse(r.text);
  }

  function didURL(did) {
    var parts = did.replace(/^did:web:/, "").split(":").map(decodeURIComponent);
    var host = parts.shift();
    return "https://" + host + "/" + (parts.length ? parts.join("/") : ".well-known") + "/did.json";
  }

  // ---- JSON-LD, from the contexts the site publishes ----

  function assetsRoot() {
    var s = document.querySelector("script[src$='reverify.js']");
    return s ? new URL(".", s.src).href : new URL("/assets/", location.href).href;
  }

  var ldReady = null;
  function loadLD() {
    if (!ldReady) {
      ldReady = new Promise(function (resolve, reject) {
        if (window.BlasonLD) return resolve(window.BlasonLD);
        var s = document.createElement("script");
        s.src = assetsRoot() + "vendor/blason-ld.min.js";
        s.onload = function () { resolve(window.BlasonLD); };
        s.onerror = function () { reject(new Error("cannot load " + s.src)); };
        document.head.appendChild(s);
      });
    }
    return ldReady;
  }

  var contextIndex = null;
  async function documentLoader(u) {
    if (!contextIndex) contextIndex = getJSON(assetsRoot() + "contexts/index.json");
    var idx = await contextIndex;
    if (!idx[u]) throw new Error("unknown JSON-LD context " + u + ": only the contexts published on this site are used");
    return { contextUrl: null, documentUrl: u, document: await getJSON(assetsRoot() + "contexts/" + idx[u]) };
  }

  // ---- keys ----

  async function importJWK(jwk, alg) {
    if (alg === "EdDSA" || jwk.crv === "Ed25519") {
      return { key: await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x }, { name: "Ed25519" }, false, ["verify"]), algo: { name: "Ed25519" } };
    }
    if (alg === "ES256") {
      return { key: await crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y }, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]), algo: { name: "ECDSA", hash: "SHA-256" } };
    }
    if (alg === "RS256") {
      return { key: await crypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e }, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]), algo: { name: "RSASSA-PKCS1-v1_5" } };
    }
    throw new Error("unsupported algorithm " + alg);
  }

  async function importPEM(pem) {
    var b64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
    var der = b64urlBytes(b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
    return { key: await crypto.subtle.importKey("spki", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]), algo: { name: "RSASSA-PKCS1-v1_5" } };
  }

  // verificationMethod finds the method id in the issuer's DID document,
  // checking it is one of its assertion methods.
  async function verificationMethod(issuer, vmID) {
    if (!/^did:web:/.test(issuer)) throw new Error("issuer " + issuer + " is not a did:web");
    if (vmID.split("#")[0] !== issuer) throw new Error("key " + vmID + " is not the issuer's");
    var doc = await getJSON(didURL(issuer));
    if (doc.id !== issuer) throw new Error("DID document id " + doc.id + " is not " + issuer);
    var asserts = list(doc.assertionMethod).map(function (m) { return typeof m === "string" ? m : m.id; });
    if (asserts.indexOf(vmID) < 0) throw new Error("key " + vmID + " is not an assertion method of " + issuer);
    var vm = list(doc.verificationMethod).concat(list(doc.assertionMethod)).filter(function (m) { return m && m.id === vmID; })[0];
    if (!vm) throw new Error("key " + vmID + " not found in the DID document");
    return vm;
  }

  // ---- the report ----

  function Report(format) {
    this.format = format;
    this.steps = [];
    this.status = "valid";
  }
  Report.prototype.step = function (id, ok, detail) {
    this.steps.push({ id: id, ok: ok, detail: detail || "" });
  };
  Report.prototype.mark = function (s) {
    var order = ["valid", "expired", "suspended", "revoked"];
    if (order.indexOf(s) > order.indexOf(this.status)) this.status = s;
  };
  Report.prototype.result = function () {
    var failed = this.steps.some(function (s) { return s.ok === false; });
    return { format: this.format, steps: this.steps, verdict: failed ? "invalid" : this.status };
  };

  async function guard(rep, id, fn) {
    try {
      var detail = await fn();
      rep.step(id, true, detail);
      return true;
    } catch (err) {
      rep.step(id, false, err && err.message ? err.message : String(err));
      return false;
    }
  }

  // ---- shared checks ----

  function expiry(rep, until, from) {
    var now = Date.now();
    if (from && Date.parse(from) > now) {
      rep.step("expiry", false, "not valid before " + from);
    } else if (until && Date.parse(until) <= now) {
      rep.mark("expired");
      rep.step("expiry", true, until);
    } else {
      rep.step("expiry", true, until || "");
    }
  }

  async function recipient(rep, email, hashes) {
    if (!email) return;
    var e = email.trim().toLowerCase();
    for (var i = 0; i < hashes.length; i++) {
      var h = hashes[i];
      if (!h.hashed) {
        if (String(h.identity).toLowerCase() === e) return rep.step("recipient", true, "");
        continue;
      }
      var m = /^sha256\$([0-9a-f]{64})$/i.exec(h.identity || "");
      if (m && hex(await sha256(te.encode(e + (h.salt || "")))) === m[1].toLowerCase()) return rep.step("recipient", true, "");
    }
    rep.step("recipient", null, "nomatch");
  }

  async function gunzip(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  async function bit(url, index, purpose, issuer) {
    var lst = await getJSON(url);
    var s = lst && lst.credentialSubject;
    if (!s || s.statusPurpose !== purpose || typeof s.encodedList !== "string" || s.encodedList.charAt(0) !== "u") {
      throw new Error("unexpected status list " + url);
    }
    var lissuer = typeof lst.issuer === "string" ? lst.issuer : lst.issuer && lst.issuer.id;
    if (issuer && lissuer !== issuer) throw new Error("status list " + url + " is issued by " + lissuer);
    var bits = await gunzip(b64urlBytes(s.encodedList.slice(1)));
    var i = Number(index);
    if (!/^[0-9]+$/.test(String(index)) || i >= bits.length * 8) throw new Error("status index out of range");
    return (bits[i >> 3] >> (7 - (i & 7))) & 1;
  }

  async function ob3Status(rep, cred, issuer) {
    await guard(rep, "status", async function () {
      var entries = list(cred.credentialStatus);
      for (var k = 0; k < entries.length; k++) {
        var e = entries[k];
        if (e.type === "BitstringStatusListEntry") {
          var purpose = e.statusPurpose || "revocation";
          if (await bit(e.statusListCredential, e.statusListIndex, purpose, issuer)) rep.mark(purpose === "suspension" ? "suspended" : "revoked");
          var m = /^(.*\/)revocation([^/]*)\.json$/.exec(e.statusListCredential);
          if (m && purpose === "revocation") {
            var sURL = m[1] + "suspension" + m[2] + ".json";
            var r = await get(sURL).catch(function (err) { if (/HTTP 404/.test(err.message)) return null; throw err; });
            if (r && await bit(sURL, e.statusListIndex, "suspension", issuer)) rep.mark("suspended");
          }
        } else if (e.type === "1EdTechRevocationList") {
          var rl = await getJSON(e.id);
          if ((rl.revokedCredential || []).some(function (x) { return x.id === cred.id && x.revoked !== false; })) rep.mark("revoked");
        } else {
          throw new Error("unsupported credentialStatus type " + e.type);
        }
      }
      return rep.status;
    });
  }

  function subjectHashes(cred) {
    var subj = list(cred.credentialSubject)[0] || {};
    return list(subj.identifier).map(function (x) { return { hashed: x.hashed, identity: x.identityHash, salt: x.salt }; });
  }

  function issuerOf(cred) { return typeof cred.issuer === "string" ? cred.issuer : cred.issuer && cred.issuer.id; }

  // ---- OB 3.0 Data Integrity (eddsa-rdfc-2022) ----

  async function dataIntegrity(cred, email) {
    var rep = new Report("OB 3.0 Data Integrity");
    var issuer = issuerOf(cred);
    var proofs = list(cred.proof);
    var proof = proofs[0];
    var vm = null;
    var okIssuer = await guard(rep, "issuer", async function () {
      if (proofs.length !== 1 || !proof) throw new Error("want one proof, found " + proofs.length);
      if (proof.type !== "DataIntegrityProof" || proof.cryptosuite !== "eddsa-rdfc-2022") throw new Error("unsupported proof " + proof.type + " " + proof.cryptosuite);
      if (proof.proofPurpose !== "assertionMethod") throw new Error("proofPurpose " + proof.proofPurpose);
      vm = await verificationMethod(issuer, proof.verificationMethod);
      return issuer;
    });
    if (okIssuer) {
      await guard(rep, "signature", async function () {
        var mk = vm.publicKeyMultibase;
        if (!mk || mk[0] !== "z") throw new Error("key " + vm.id + " is not an Ed25519 Multikey");
        var raw = base58(mk.slice(1));
        if (raw.length !== 34 || raw[0] !== 0xed || raw[1] !== 0x01) throw new Error("key " + vm.id + " is not an Ed25519 Multikey");
        var key = await crypto.subtle.importKey("raw", raw.slice(2), { name: "Ed25519" }, false, ["verify"]);
        var ld = await loadLD();
        var doc = Object.assign({}, cred);
        delete doc.proof;
        var config = Object.assign({}, proof);
        delete config.proofValue;
        config["@context"] = cred["@context"];
        var docC = await ld.canonize(doc, documentLoader);
        var confC = await ld.canonize(config, documentLoader);
        var data = concat(await sha256(te.encode(confC)), await sha256(te.encode(docC)));
        if (typeof proof.proofValue !== "string" || proof.proofValue[0] !== "z") throw new Error("proofValue is not base58btc");
        if (!await crypto.subtle.verify({ name: "Ed25519" }, key, base58(proof.proofValue.slice(1)), data)) throw new Error("the signature does not match the credential");
        return vm.id;
      });
    } else {
      rep.step("signature", false, "no issuer key");
    }
    await recipient(rep, email, subjectHashes(cred));
    expiry(rep, cred.validUntil, cred.validFrom);
    await ob3Status(rep, cred, issuer);
    return rep.result();
  }

  // ---- compact JWS (VC-JWT, OB 2.0 signed) ----

  function splitJWS(jws) {
    var p = jws.split(".");
    return { header: JSON.parse(utf8(b64urlBytes(p[0]))), payload: JSON.parse(utf8(b64urlBytes(p[1]))), input: te.encode(p[0] + "." + p[1]), sig: b64urlBytes(p[2]) };
  }

  async function jwsVerify(j, k) {
    if (!await crypto.subtle.verify(k.algo, k.key, j.sig, j.input)) throw new Error("the signature does not match the credential");
  }

  async function vcJWT(jws, email) {
    var rep = new Report("OB 3.0 VC-JWT");
    var j = splitJWS(jws);
    var cred = j.payload.vc || j.payload;
    var issuer = issuerOf(cred);
    var k = null;
    var okIssuer = await guard(rep, "issuer", async function () {
      if (j.payload.iss && j.payload.iss !== issuer) throw new Error("iss " + j.payload.iss + " is not the issuer " + issuer);
      var kid = j.header.kid || "";
      var jwk;
      if (/^did:/.test(kid)) {
        jwk = (await verificationMethod(issuer, kid)).publicKeyJwk;
      } else {
        // A key URL published by the issuer: its id must be in the issuer's DID document.
        jwk = await getJSON(kid);
        var vm = await verificationMethod(issuer, issuer + "#" + jwk.kid);
        if (JSON.stringify([vm.publicKeyJwk.x, vm.publicKeyJwk.y, vm.publicKeyJwk.n]) !== JSON.stringify([jwk.x, jwk.y, jwk.n])) throw new Error("key " + kid + " differs from the DID document's");
      }
      if (!jwk) throw new Error("no public key " + kid);
      k = await importJWK(jwk, j.header.alg);
      return kid;
    });
    if (okIssuer) {
      await guard(rep, "signature", async function () { await jwsVerify(j, k); return j.header.alg; });
    } else {
      rep.step("signature", false, "no issuer key");
    }
    await recipient(rep, email, subjectHashes(cred));
    var until = cred.validUntil || (j.payload.exp ? new Date(j.payload.exp * 1000).toISOString() : "");
    expiry(rep, until, cred.validFrom);
    await ob3Status(rep, cred, issuer);
    return rep.result();
  }

  // ---- OB 2.0 ----

  async function ob2Common(rep, a, email) {
    var badge = null;
    var issuerURL = "";
    var ok = await guard(rep, "issuer", async function () {
      badge = typeof a.badge === "string" ? await getJSON(a.badge) : a.badge;
      issuerURL = typeof badge.issuer === "string" ? badge.issuer : badge.issuer.id;
      var is = await getJSON(issuerURL);
      if (is.id !== issuerURL) throw new Error("issuer profile id " + is.id + " is not " + issuerURL);
      if (/^https?:/.test(a.id) && new URL(a.id).host !== new URL(issuerURL).host) throw new Error("assertion " + a.id + " is not on the issuer's host");
      rep.issuer = is;
      return is.name || issuerURL;
    });
    if (email) await recipient(rep, email, [a.recipient || {}]);
    expiry(rep, a.expires, "");
    if (ok) {
      await guard(rep, "status", async function () {
        if (rep.issuer.revocationList) {
          var rl = await getJSON(rep.issuer.revocationList);
          list(rl.revokedAssertions).forEach(function (x) { if ((typeof x === "string" ? x : x.id) === a.id) rep.mark("revoked"); });
        }
        return rep.status;
      });
    }
    return ok;
  }

  async function ob2Hosted(a, email) {
    var rep = new Report("OB 2.0 hosted");
    var hosted = null;
    await guard(rep, "signature", async function () {
      // A hosted assertion is authentic when the issuer's site serves it.
      var r = await get(a.id);
      if (r.gone) return "gone";
      hosted = JSON.parse(r.text);
      if (hosted.revoked === true) return "revoked";
      if (JSON.stringify(hosted) !== JSON.stringify(a)) throw new Error("the assertion differs from the one hosted at " + a.id);
      var vt = a.verification && a.verification.type;
      if (vt !== "hosted" && vt !== "HostedBadge") throw new Error("verification.type " + vt + " is not hosted");
      return a.id;
    });
    if (hosted === null || hosted.revoked === true) {
      if (rep.steps[0].ok) rep.mark("revoked");
      return rep.result();
    }
    await ob2Common(rep, a, email);
    return rep.result();
  }

  async function ob2Signed(jws, email) {
    var rep = new Report("OB 2.0 signed");
    var j = splitJWS(jws);
    var a = j.payload;
    var key = null;
    await guard(rep, "signature", async function () {
      if (j.header.alg !== "RS256") throw new Error("unsupported algorithm " + j.header.alg);
      var creator = a.verification && a.verification.creator;
      var ck = await getJSON(creator);
      key = ck;
      await jwsVerify(j, await importPEM(ck.publicKeyPem));
      return creator;
    });
    var ok = await ob2Common(rep, a, email);
    if (ok && key) {
      var owned = list(rep.issuer.publicKey).map(function (x) { return typeof x === "string" ? x : x.id; });
      if (key.owner !== rep.issuer.id || owned.indexOf(key.id) < 0) rep.step("issuer", false, "key " + key.id + " is not the issuer's");
    }
    return rep.result();
  }

  // ---- baked images ----

  function unbakePNG(b) {
    var keys = ["openbadgecredential", "openbadges"];
    for (var p = 8; p + 8 <= b.length;) {
      var len = (b[p] << 24 | b[p + 1] << 16 | b[p + 2] << 8 | b[p + 3]) >>> 0;
      var type = String.fromCharCode(b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
      if (type === "iTXt") {
        var data = b.subarray(p + 8, p + 8 + len);
        var nul = data.indexOf(0);
        var kw = utf8(data.subarray(0, nul));
        if (keys.indexOf(kw) >= 0) {
          // compression flag, method, language tag NUL, translated keyword NUL
          var q = nul + 3;
          q = data.indexOf(0, q) + 1;
          q = data.indexOf(0, q) + 1;
          return utf8(data.subarray(q));
        }
      }
      if (type === "IEND") break;
      p += 12 + len;
    }
    return null;
  }

  function unbakeSVG(text) {
    var m = /<openbadges:(?:credential|assertion)(?:\s+verify="([^"]*)")?\s*(?:\/>|>\s*<!\[CDATA\[([\s\S]*?)\]\]>)/.exec(text);
    if (!m) return null;
    if (m[2]) return m[2];
    return m[1].replace(/&quot;/g, "\"").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  // ---- entry point ----

  var jwsRE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

  // verify checks input: the text of a credential (JSON, a compact JWS, a
  // URL on this site) or the bytes of a file (JSON, JWS, baked PNG or SVG).
  async function verify(input, email) {
    var text = input;
    if (input instanceof Uint8Array) {
      if (input.length > 8 && input[0] === 0x89 && input[1] === 0x50) {
        text = unbakePNG(input);
        if (text === null) throw new Error("this image carries no credential");
      } else {
        text = utf8(input);
      }
    }
    text = String(text).trim();
    if (/^<(\?xml|svg|!DOCTYPE)/i.test(text) || /<svg[\s>]/.test(text.slice(0, 2000))) {
      var baked = unbakeSVG(text);
      if (baked === null) throw new Error("this image carries no credential");
      text = baked.trim();
    }
    if (/^https?:\/\//.test(text)) {
      var r = await get(text);
      if (r.gone) return { format: "OB 2.0 hosted", steps: [{ id: "status", ok: true, detail: "gone" }], verdict: "revoked" };
      text = r.text.trim();
    }
    if (jwsRE.test(text)) {
      var payload = JSON.parse(utf8(b64urlBytes(text.split(".")[1])));
      return payload.verification ? ob2Signed(text, email) : vcJWT(text, email);
    }
    var doc;
    try { doc = JSON.parse(text); } catch (e) { throw new Error("not a credential: neither JSON, a JWT nor a baked image"); }
    if (doc.proof) return dataIntegrity(doc, email);
    if (list(doc.type).indexOf("Assertion") >= 0 || doc.revoked === true) return ob2Hosted(doc, email);
    throw new Error("not a credential Blason can check (no proof, not an Open Badges assertion)");
  }

  window.BlasonVerify = { verify: verify };

  // ---- the page ----

  function render(out, res, strings) {
    out.textContent = "";
    var verdict = document.createElement("p");
    verdict.className = "verdict status status-" + res.verdict;
    verdict.textContent = strings["verdict_" + res.verdict] || res.verdict;
    out.appendChild(verdict);
    var ol = document.createElement("ol");
    ol.className = "verify-steps";
    res.steps.forEach(function (s) {
      var li = document.createElement("li");
      var state = s.ok === true ? "ok" : s.ok === false ? "fail" : "info";
      li.className = "step-" + state;
      li.dataset.step = s.id;
      var label = (strings["step_" + s.id] || s.id) + strings.colon + " ";
      var what = s.ok === true ? strings.ok : s.ok === false ? strings.fail : strings.nomatch;
      li.textContent = label + what + (s.ok === false && s.detail ? " (" + s.detail + ")" : "");
      ol.appendChild(li);
    });
    out.appendChild(ol);
    var fmt = document.createElement("p");
    fmt.className = "meta";
    fmt.textContent = strings.format + strings.colon + " " + res.format;
    out.appendChild(fmt);
  }

  // stringsOf reads the translated strings the page carries (partial
  // verify-strings).
  function stringsOf(el) {
    var s = {};
    el.querySelectorAll(".verify-strings [data-k]").forEach(function (e) { s[e.dataset.k] = e.textContent; });
    return s;
  }

  // The award page: check its credential, and replace the pill shown at
  // build time when the result differs.
  function setupAward() {
    var box = document.getElementById("reverify-box");
    if (!box) return;
    var form = box.querySelector("form");
    var out = document.getElementById("reverify-result");
    var strings = stringsOf(box);
    box.hidden = false;
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      out.dataset.status = "checking";
      out.textContent = strings.checking;
      try {
        var email = form.querySelector("input[type=email]").value;
        var res = await verify(box.dataset.credential, email);
        render(out, res, strings);
        out.dataset.status = res.verdict;
        var article = document.querySelector("article.award");
        var pill = article && article.querySelector(".badge-head .status");
        if (article) article.className = "award status-" + res.verdict;
        if (pill) {
          pill.className = "status status-" + res.verdict;
          pill.textContent = strings["verdict_" + res.verdict] || res.verdict;
        }
      } catch (err) {
        out.dataset.status = "error";
        out.textContent = strings.error + " " + err.message;
      } finally {
        button.disabled = false;
      }
    });
  }

  // The verify/ page: a file dropped or chosen, or a pasted JWT, JSON or URL.
  function setupPage() {
    var box = document.getElementById("verify-tool");
    if (!box) return;
    var strings = stringsOf(box);
    var form = box.querySelector("form");
    var fileInput = box.querySelector("input[type=file]");
    var area = box.querySelector("textarea");
    var out = document.getElementById("verify-result");
    box.hidden = false;
    var pending = null;
    async function run(input) {
      out.dataset.status = "checking";
      out.textContent = strings.checking;
      try {
        var res = await verify(input, box.querySelector("input[type=email]").value);
        render(out, res, strings);
        out.dataset.status = res.verdict;
      } catch (err) {
        out.dataset.status = "error";
        out.textContent = strings.error + " " + err.message;
      }
    }
    async function readFile(f) { return new Uint8Array(await f.arrayBuffer()); }
    fileInput.addEventListener("change", async function () {
      if (fileInput.files[0]) { pending = await readFile(fileInput.files[0]); run(pending); }
    });
    var zone = box.querySelector(".dropzone");
    ["dragenter", "dragover"].forEach(function (t) { zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); }); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", async function (e) {
      e.preventDefault();
      zone.classList.remove("over");
      var f = e.dataTransfer.files[0];
      if (f) { pending = await readFile(f); run(pending); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      run(area.value.trim() ? area.value : pending || "");
    });
  }

  function setup() {
    if (!window.fetch || !window.crypto || !crypto.subtle || !window.DecompressionStream) return;
    setupAward();
    setupPage();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
