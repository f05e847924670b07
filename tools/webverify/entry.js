// Entry point of blason-ld.min.js: exposes the JSON-LD processor (expansion
// and RDFC-1.0 canonicalization, as the eddsa-rdfc-2022 cryptosuite needs)
// as window.BlasonLD for themes/default/static/reverify.js. The document
// loader is given by the caller: it only reads contexts published on the
// site itself, so no request leaves the site's origin.
import jsonld from "jsonld";

globalThis.BlasonLD = {
  canonize: function (doc, documentLoader) {
    return jsonld.canonize(doc, {
      algorithm: "RDFC-1.0",
      format: "application/n-quads",
      documentLoader: documentLoader,
      safe: true
    });
  }
};
