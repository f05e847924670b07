// validate.mjs: validates European Learning Model (ELM 3) credentials
// against SHACL shapes, independently of Blason's Go code. The JSON-LD is
// turned into RDF by jsonld.js (contexts from local files only: no network),
// the shapes are parsed by n3, and rdf-validate-shacl checks them.
//
// Usage: node validate.mjs --context URL=FILE ... --shapes FILE ... DATA.json ...
// Prints one JSON object per data file, one a line:
// {"file", "conforms", "results": [{"severity", "focus", "path", "message", "shape"}]}.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import rdf from '@zazuko/env-node'
import jsonld from 'jsonld'
import { Parser } from 'n3'
import SHACLValidator from 'rdf-validate-shacl'

const require = createRequire(import.meta.url)
const contexts = new Map()
// The W3C Verifiable Credentials 1.1 context, from its npm package.
const vc = require('credentials-context')
for (const [url, doc] of vc.contexts) contexts.set(url, doc)

const shapeFiles = []
const dataFiles = []
const args = process.argv.slice(2)
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--context') {
    const [url, file] = args[++i].split(/=(.*)/s)
    contexts.set(url, JSON.parse(readFileSync(file, 'utf8')))
  } else if (args[i] === '--shapes') {
    shapeFiles.push(args[++i])
  } else {
    dataFiles.push(args[i])
  }
}

const documentLoader = async (url) => {
  const doc = contexts.get(url)
  if (!doc) throw new Error(`no local copy of JSON-LD document ${url} (the validator never fetches)`)
  return { contextUrl: null, documentUrl: url, document: doc }
}

const parse = (text, format) => {
  const ds = rdf.dataset()
  for (const q of new Parser({ format }).parse(text)) ds.add(q)
  return ds
}

// Every shapes file given is loaded; owl:imports between them are resolved
// by ontology IRI among those files, never over the network.
const shapes = rdf.dataset()
const ontologies = new Map()
for (const f of shapeFiles) {
  const ds = parse(readFileSync(f, 'utf8'), 'text/turtle')
  for (const q of ds) {
    shapes.add(q)
    if (q.predicate.value === 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type' &&
        q.object.value === 'http://www.w3.org/2002/07/owl#Ontology') ontologies.set(q.subject.value, ds)
  }
}
const importGraph = (iri) => {
  const ds = ontologies.get(iri.value)
  if (!ds) throw new Error(`owl:imports ${iri.value}: no such shapes file given`)
  return ds
}

for (const file of dataFiles) {
  const doc = JSON.parse(readFileSync(file, 'utf8'))
  const nquads = await jsonld.toRDF(doc, { format: 'application/n-quads', documentLoader, safe: true })
  const data = parse(nquads, 'application/n-quads')
  const validator = new SHACLValidator(shapes, { factory: rdf, importGraph })
  const report = await validator.validate(data)
  const results = report.results.map((r) => ({
    severity: r.severity?.value,
    focus: r.focusNode?.value,
    path: r.path?.value,
    message: r.message.map((m) => m.value).join('; '),
    shape: r.sourceShape?.value,
  }))
  console.log(JSON.stringify({ file, conforms: report.conforms, triples: data.size, results }))
}
