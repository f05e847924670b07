// Re-verifies an award's status in the browser, against the status lists
// its issuer publishes: fetch the credential, then the Bitstring Status
// List credential it points at, decode the list (multibase base64url, then
// gzip through DecompressionStream) and read the award's bit; the
// suspension list (same index) and the expiry date are checked too.
// Signatures are not checked here: use an Open Badges verifier for that.
(function () {
  "use strict";

  function bytesOf(b64url) {
    var s = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  async function gunzip(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  async function getJSON(url) {
    var r = await fetch(url, { cache: "no-store", credentials: "omit" });
    if (!r.ok) throw new Error("HTTP " + r.status + " " + url);
    return r.json();
  }

  // bit returns the bit at index of the status list credential at url.
  async function bit(url, index, purpose) {
    var list = await getJSON(url);
    var subject = list && list.credentialSubject;
    if (!subject || subject.statusPurpose !== purpose || typeof subject.encodedList !== "string" || subject.encodedList.charAt(0) !== "u") {
      throw new Error("unexpected status list " + url);
    }
    var bits = await gunzip(bytesOf(subject.encodedList.slice(1)));
    var i = Number(index);
    if (!Number.isInteger(i) || i < 0 || i >= bits.length * 8) throw new Error("status index out of range");
    return (bits[i >> 3] >> (7 - (i & 7))) & 1;
  }

  async function status(credentialURL, suspensionURL) {
    var cred = await getJSON(credentialURL);
    var entries = cred.credentialStatus || [];
    if (!Array.isArray(entries)) entries = [entries];
    for (var k = 0; k < entries.length; k++) {
      var e = entries[k];
      if (e.type === "BitstringStatusListEntry") {
        var purpose = e.statusPurpose || "revocation";
        if (await bit(e.statusListCredential, e.statusListIndex, purpose)) {
          return purpose === "suspension" ? "suspended" : "revoked";
        }
        if (purpose === "revocation" && suspensionURL && await bit(suspensionURL, e.statusListIndex, "suspension")) {
          return "suspended";
        }
      } else if (e.type === "1EdTechRevocationList") {
        var rl = await getJSON(e.id);
        var revoked = (rl.revokedCredential || []).some(function (r) { return r.id === cred.id && r.revoked !== false; });
        if (revoked) return "revoked";
      } else {
        throw new Error("unknown credentialStatus type " + e.type);
      }
    }
    if (cred.validUntil && Date.parse(cred.validUntil) <= Date.now()) return "expired";
    return "valid";
  }

  function setup() {
    var button = document.getElementById("reverify");
    var out = document.getElementById("reverify-result");
    if (!button || !out || !window.fetch || !window.DecompressionStream) return;
    button.hidden = false;
    button.addEventListener("click", async function () {
      button.disabled = true;
      out.dataset.status = "checking";
      out.textContent = button.dataset.checking;
      try {
        var s = await status(button.dataset.credential, button.dataset.suspension);
        out.dataset.status = s;
        out.textContent = button.dataset[s];
      } catch (err) {
        out.dataset.status = "error";
        out.textContent = button.dataset.error + " " + err.message;
      } finally {
        button.disabled = false;
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
