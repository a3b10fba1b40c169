// Independent implementation for the interop tests: Digital Bazaar's
// Data Integrity stack and panva/jose. JSON request on stdin, JSON on stdout.
// Contexts come from the SAME bundled files the Python side uses; no network.
import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';
import {performance} from 'node:perf_hooks';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as ecdsaSd2023 from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import {checkStatus as dbCheckStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as jose from 'jose';

const CONTEXT_DIR = new URL('../../openbadges/contexts/', import.meta.url);
const index = JSON.parse(readFileSync(new URL('index.json', CONTEXT_DIR), 'utf8'));
const contexts = new Map(Object.entries(index).map(
  ([url, file]) => [url, JSON.parse(readFileSync(new URL(file, CONTEXT_DIR), 'utf8'))]));
const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

// did:key (Ed25519 z6Mk..., P-256 zDn..., P-384 z82...) resolved offline, like openbadges.did on the Python side.
function didKeyDocument(did) {
  const mb = did.slice('did:key:'.length);
  const vm = {id: `${did}#${mb}`, type: 'Multikey', controller: did, publicKeyMultibase: mb};
  return {
    '@context': [DID_V1, MULTIKEY_V1], id: did, verificationMethod: [vm],
    assertionMethod: [vm.id], authentication: [vm.id]
  };
}

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: structuredClone(contexts.get(url))};
  }
  if(url.startsWith('did:key:z6Mk') || url.startsWith('did:key:zDn') || url.startsWith('did:key:z82')) {
    const [did, fragment] = url.split('#');
    const doc = didKeyDocument(did);
    if(!fragment) {
      return {contextUrl: null, documentUrl: url, document: doc};
    }
    const vm = doc.verificationMethod.find(m => m.id === url);
    if(vm) {
      return {contextUrl: null, documentUrl: url, document: {'@context': MULTIKEY_V1, ...vm}};
    }
  }
  throw new Error(`harness document loader refuses ${url}`);
}

async function newKey() {
  const key = await Ed25519Multikey.generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  return {key, did};
}

async function diSign({credential}) {
  const {key, did} = await newKey();
  const cred = structuredClone(credential);
  if(typeof cred.issuer === 'object') {
    cred.issuer.id = did;
  } else {
    cred.issuer = did;
  }
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022});
  const signed = await vc.issue({credential: cred, suite, documentLoader});
  return {signed, did};
}

// Optional `documents` ({url-or-did: JSON}) extend the loader, e.g. a did:web
// issuer's DID document and its status list credentials, still with no network.
function loaderWith(documents = {}) {
  return async url => {
    const [base, fragment] = url.split('#');
    const doc = documents[url] || documents[base];
    if(doc) {
      if(fragment && doc.id !== url) {
        const vm = (doc.verificationMethod || []).find(m => m.id === url || m.id === `#${fragment}`);
        if(vm) {
          return {contextUrl: null, documentUrl: url,
            document: {'@context': MULTIKEY_V1, controller: doc.id, ...vm, id: url}};
        }
      }
      return {contextUrl: null, documentUrl: url, document: structuredClone(doc)};
    }
    return documentLoader(url);
  };
}

// BitstringStatusListEntry check (W3C Bitstring Status List v1.0): the list
// credential must verify with the same suite and loader, then read the bit
// (index 0 = most significant bit of the first byte of the GZIP'd list).
async function checkBitstringStatus({credential, documentLoader: loader, suite}) {
  const entries = [].concat(credential.credentialStatus);
  for(const entry of entries) {
    if(entry.type !== 'BitstringStatusListEntry') {
      return {verified: false, error: `unsupported status type ${entry.type}`};
    }
    const {document: list} = await loader(entry.statusListCredential);
    const listResult = await vc.verifyCredential({credential: list, suite, documentLoader: loader});
    if(!listResult.verified) {
      return {verified: false, error: 'status list credential does not verify'};
    }
    const issuerOf = c => (typeof c.issuer === 'object' ? c.issuer.id : c.issuer);
    if(issuerOf(list) !== issuerOf(credential)) {
      return {verified: false, error: 'status list issuer differs from the credential issuer'};
    }
    const subject = list.credentialSubject;
    if(subject.statusPurpose !== entry.statusPurpose) {
      return {verified: false, error: 'status purpose mismatch'};
    }
    const bits = gunzipSync(Buffer.from(subject.encodedList.slice(1), 'base64url'));
    const index = Number(entry.statusListIndex);
    const set = (bits[index >> 3] >> (7 - (index % 8))) & 1;
    if(set) {
      return {verified: false, status: entry.statusPurpose, error: `credential status: ${entry.statusPurpose}`};
    }
  }
  return {verified: true};
}

async function diVerify({credential, documents}) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const loader = loaderWith(documents);
  const result = await vc.verifyCredential({credential, suite, documentLoader: loader,
    checkStatus: checkBitstringStatus});
  const error = result.error || result.statusResult?.error;
  const details = [].concat(error?.errors || []).map(e => String(e.message || e));
  return {verified: result.verified, status: result.statusResult || null,
    error: error ? [String(error.message || error), ...details].join(': ') : null};
}

const JWT_ALGS = {EdDSA: {crv: 'Ed25519'}, ES256: {}, RS256: {modulusLength: 2048}};

function claimsFor(credential) {
  const claims = {vc: credential, iss: typeof credential.issuer === 'object' ? credential.issuer.id : credential.issuer,
    jti: credential.id, sub: credential.credentialSubject?.id};
  const from = credential.validFrom || credential.issuanceDate;
  const until = credential.validUntil || credential.expirationDate;
  if(from) { claims.nbf = Math.floor(Date.parse(from) / 1000); }
  if(until) { claims.exp = Math.floor(Date.parse(until) / 1000); }
  return claims;
}

async function jwtSign({credential, alg = 'RS256'}) {
  const {publicKey, privateKey} = await jose.generateKeyPair(alg, JWT_ALGS[alg]);
  const jwk = await jose.exportJWK(publicKey);
  const jwt = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claimsFor(credential))))
    .setProtectedHeader({alg, typ: 'JWT', jwk})
    .sign(privateKey);
  return {jwt, jwk};
}

async function jwtVerify({jwt}) {
  try {
    const header = jose.decodeProtectedHeader(jwt);
    const key = await jose.importJWK(header.jwk, header.alg);
    const {payload} = await jose.jwtVerify(jwt, key, {typ: 'JWT', clockTolerance: 0});
    return {verified: true, payload};
  } catch(e) {
    return {verified: false, error: String(e.message || e)};
  }
}

async function bench({credential, iterations = 200, cryptosuite = 'eddsa-rdfc-2022'}) {
  const suite = new DataIntegrityProof({cryptosuite: cryptosuite === 'ecdsa-sd-2023' ?
    ecdsaSd2023.createVerifyCryptosuite() : eddsaRdfc2022});
  // warm up (JIT, context processing caches), then time inside node
  for(let i = 0; i < 10; ++i) {
    await vc.verifyCredential({credential, suite, documentLoader});
  }
  const start = performance.now();
  let ok = 0;
  for(let i = 0; i < iterations; ++i) {
    const r = await vc.verifyCredential({credential, suite, documentLoader});
    ok += r.verified ? 1 : 0;
  }
  const seconds = (performance.now() - start) / 1000;
  return {iterations, verified: ok, seconds, per_second: iterations / seconds};
}

// A fresh P-256 (or P-384) did:key issuer and a copy of the credential issued by it.
async function p256Issuer(credential, curve = 'P-256') {
  const key = await EcdsaMultikey.generate({curve});
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  const cred = structuredClone(credential);
  cred.issuer = typeof cred.issuer === 'object' ? {...cred.issuer, id: did} : did;
  return {key, did, cred};
}

// ecdsa-rdfc-2019 (P-256) both ways: Digital Bazaar signs / verifies.
async function ecdsaSign({credential, curve = 'P-256'}) {
  const {key, did, cred} = await p256Issuer(credential, curve);
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: ecdsaRdfc2019});
  return {signed: await vc.issue({credential: cred, suite, documentLoader}), did};
}

async function ecdsaVerify({credential}) {
  const suite = new DataIntegrityProof({cryptosuite: ecdsaRdfc2019});
  const result = await vc.verifyCredential({credential, suite, documentLoader});
  const error = result.error;
  return {verified: result.verified, error: error ? String(error.message || error) : null};
}

// ecdsa-sd-2023: Digital Bazaar signs a base proof (issuer) and derives a
// selectively disclosed credential from it (holder); and verifies derived ones.
async function sdDerive({credential, mandatoryPointers = ['/issuer'], selectivePointers = []}) {
  const {key, did, cred} = await p256Issuer(credential);
  const signSuite = new DataIntegrityProof({signer: key.signer(),
    cryptosuite: ecdsaSd2023.createSignCryptosuite({mandatoryPointers})});
  const base = await vc.issue({credential: cred, suite: signSuite, documentLoader});
  const discloseSuite = new DataIntegrityProof({
    cryptosuite: ecdsaSd2023.createDiscloseCryptosuite({selectivePointers})});
  const derived = await vc.derive({verifiableCredential: base, suite: discloseSuite, documentLoader});
  return {base, derived, did};
}

async function sdVerify({credential, documents}) {
  const suite = new DataIntegrityProof({cryptosuite: ecdsaSd2023.createVerifyCryptosuite()});
  const result = await vc.verifyCredential({credential, suite, documentLoader: loaderWith(documents)});
  const error = result.error;
  return {verified: result.verified, error: error ? String(error.message || error) : null};
}

// Digital Bazaar's own Bitstring Status List checker (not the one above): it
// verifies the list credential and its issuer, then reports each entry's bit
// as `status` for the application to read (verified stays true when a bit is set).
async function dbStatusVerify({credential, documents}) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const loader = loaderWith(documents);
  const result = await vc.verifyCredential({credential, suite, documentLoader: loader, checkStatus: dbCheckStatus});
  const statusResult = result.statusResult || {};
  const error = result.error || statusResult.error;
  return {verified: result.verified, statusVerified: statusResult.verified ?? null,
    statuses: (statusResult.results || []).map(r => ({purpose: r.credentialStatus.statusPurpose, set: r.status})),
    error: error ? String(error.message || error) : null};
}

const OPS = {'db-status-verify': dbStatusVerify, 'sd-derive': sdDerive, 'sd-verify': sdVerify, 'ecdsa-sign': ecdsaSign, 'ecdsa-verify': ecdsaVerify, 'di-sign': diSign, 'di-verify': diVerify, 'jwt-sign': jwtSign, 'jwt-verify': jwtVerify, bench};

const chunks = [];
for await (const chunk of process.stdin) { chunks.push(chunk); }
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const op = OPS[request.op];
if(!op) {
  process.stdout.write(JSON.stringify({error: `unknown op ${request.op}`}));
  process.exit(2);
}
process.stdout.write(JSON.stringify(await op(request)));
