// The peer issuer of `blason bench --compare`: issues copies of one Open
// Badges 3.0 credential with Digital Bazaar's published libraries
// (@digitalbazaar/vc with a DataIntegrityProof suite and the
// eddsa-rdfc-2022 cryptosuite, the stack of the Digital Credentials
// Consortium's issuer), on worker threads, and reports how many credentials
// it signed per second. Glue only: the libraries canonicalize and sign.
//
// Input (stdin, JSON): {contexts: {url: file}, template: file, count, workers}
// template is a credential without its proof; each copy gets its own id.
// Output (stdout, JSON): {count, workers, seconds, perSecond}; seconds is
// the wall time of the signing alone (libraries loaded, keys made).
//
// The document loader never touches the network: contexts come from the
// given files and anything else is an error.

import {readFile} from 'node:fs/promises';
import {availableParallelism} from 'node:os';
import {Worker, isMainThread, parentPort, workerData} from 'node:worker_threads';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

console.log = console.error; // stdout carries the result only

if(isMainThread) {
  await main();
} else {
  parentPort.postMessage(await issueAll(workerData));
  process.exit(0);
}

async function main() {
  const chunks = [];
  for await (const c of process.stdin) {
    chunks.push(c);
  }
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const workers = Math.max(1, Math.min(input.workers || availableParallelism(), input.count));
  const shares = Array.from({length: workers}, (_, w) =>
    Math.floor(input.count / workers) + (w < input.count % workers ? 1 : 0));
  // Each worker loads and prepares, then waits for the start signal, so that
  // the time measured is the signing alone, on every thread at once.
  const ready = [];
  const done = [];
  const threads = shares.map((count, w) => {
    const t = new Worker(new URL(import.meta.url), {workerData: {...input, count, first: w * 1e9}});
    ready.push(new Promise((ok, ko) => {
      t.once('message', m => m === 'ready' ? ok() : ko(new Error(String(m))));
      t.once('error', ko);
    }));
    done.push(new Promise((ok, ko) => {
      t.on('message', m => { if(m !== 'ready') ok(m); });
      t.once('error', ko);
      t.once('exit', code => code !== 0 && ko(new Error(`worker exited with ${code}`)));
    }));
    return t;
  });
  await Promise.all(ready);
  const start = process.hrtime.bigint();
  threads.forEach(t => t.postMessage('go'));
  const signed = (await Promise.all(done)).reduce((a, b) => a + b, 0);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({count: signed, workers, seconds, perSecond: signed / seconds}));
}

async function issueAll({contexts: files, template, count, first}) {
  const contexts = new Map();
  for(const [url, file] of Object.entries(files)) {
    contexts.set(url, JSON.parse(await readFile(file, 'utf8')));
  }
  const documentLoader = async url => {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(contexts.get(url))};
    }
    throw new Error(`no network: ${url} is not a known context`);
  };
  const shape = JSON.parse(await readFile(template, 'utf8'));
  delete shape.proof;
  const issuer = typeof shape.issuer === 'string' ? shape.issuer : shape.issuer.id;
  const key = await Ed25519Multikey.generate({controller: issuer, id: issuer + '#bench'});
  const signer = key.signer();
  const go = new Promise(ok => parentPort.once('message', ok));
  parentPort.postMessage('ready');
  await go;
  for(let i = 0; i < count; i++) {
    const credential = structuredClone(shape);
    credential.id = `${shape.id}-${first + i}`;
    const suite = new DataIntegrityProof({signer, cryptosuite: eddsaRdfc2022});
    const signed = await vc.issue({credential, suite, documentLoader});
    if(!signed.proof || !signed.proof.proofValue) {
      throw new Error('no proof made');
    }
  }
  return count;
}
