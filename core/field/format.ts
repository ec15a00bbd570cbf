// The field pack (.ringpack) and results (.ringresults) file formats: PBKDF2 + AES-GCM with an authenticated header, HMAC-signed results.
import { gunzipSync, gzipSync } from 'fflate';
import { buf, toHex } from '../secrets/box.js';
import { sha256HexSync } from '../shared/hash.js';
import type { KeyStatus, Procedure, ProcedureId } from './steps.js';

export const PACK_MAGIC = 'RINGPACK1';
export const RESULTS_MAGIC = 'RINGRESULTS1';
export const PACK_EXTENSION = '.ringpack';
export const RESULTS_EXTENSION = '.ringresults';
/** OWASP's 2023 floor for PBKDF2-HMAC-SHA256; packs asking for fewer are refused (no downgrade by editing the header). */
export const MIN_ITERATIONS = 600_000;
/** Upper bound on read: an edited header asking for billions of iterations would hang every open (~45 min). */
export const MAX_ITERATIONS = 10_000_000;
export const FIELD_RESULTS = ['fixed', 'failed', 'needs_reimage', 'not_found', 'deferred'] as const;
export type FieldResult = (typeof FIELD_RESULTS)[number];

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export class PackError extends Error {
  constructor(
    readonly code: 'format' | 'expired' | 'passphrase' | 'signature' | 'unknown_pack' | 'weak_kdf',
    message: string,
  ) {
    super(message);
  }
}

/** The plaintext header: readable without the passphrase, authenticated as AES-GCM additional data. */
export interface PackHeader {
  format: 'ringside-pack';
  version: 1;
  packId: string;
  site: string | null;
  devices: number;
  created: number;
  expires: number;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  cipher: { name: 'AES-GCM'; iv: string };
  compression: 'gzip';
}

export interface PackKey {
  keyId: string;
  recoveryPassword: string;
  valid: boolean;
}

export interface PackDevice {
  id: number;
  hostname: string;
  serial: string | null;
  model: string | null;
  site: string | null;
  ring: string | null;
  state: string;
  user: string | null;
  tags: string;
  /** The default procedure as plain text (what packs before typed steps carried). */
  steps: string[];
  /** Every procedure, as typed steps (prose, command, key, path); absent in older packs. */
  procedures?: Procedure[];
  /** The path chosen for the device when the pack was made (Safe Mode or reimage for a device without a key). */
  route?: ProcedureId;
  /** Whether the pack holds a valid recovery key for it, and if not why. */
  keyStatus?: KeyStatus;
  /** Model-specific hints: the boot/recovery key and whether WinPE needs a storage driver. */
  modelNotes: string[];
  keys: PackKey[];
}

/** The workspace's audit head (entry count, last hash, keyed MAC) at a moment, carried in files Ringside writes. */
export interface AuditHead {
  count: number;
  head: string;
  mac: string;
}

export interface PackPayload {
  packId: string;
  workspaceId: string;
  site: string | null;
  created: number;
  expires: number;
  technician: string | null;
  /** Base64 of the 32-byte key the technician's results file is signed with (HMAC-SHA-256 after HKDF). */
  macKey: string;
  devices: PackDevice[];
  /** Generated scripts by file name (text), for the technician's USB stick. */
  scripts: Record<string, string>;
  runSheet: string;
  /** Where the steps and scripts came from, so nobody mistakes a fallback for the remediation engine's output. */
  stepsSource: string;
  /** The audit head when the pack was made (absent in packs from before anchors), so a cut log can be shown later. */
  audit?: AuditHead;
}

export function b64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function unb64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function deriveAes(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', enc.encode(passphrase.normalize('NFC')), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: buf(salt), iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Splits `MAGIC\n{json}\n<rest>` without decoding the binary rest. */
function splitHead(bytes: Uint8Array, magic: string): { head: Uint8Array; json: string; rest: Uint8Array } {
  const first = bytes.indexOf(0x0a);
  const second = first < 0 ? -1 : bytes.indexOf(0x0a, first + 1);
  if (first < 0 || second < 0) throw new PackError('format', `not a Ringside ${magic} file: no header`);
  let m: string;
  let json: string;
  try {
    m = dec.decode(bytes.subarray(0, first));
    json = dec.decode(bytes.subarray(first + 1, second));
  } catch {
    throw new PackError('format', `not a Ringside ${magic} file: the header is not UTF-8`);
  }
  if (m !== magic)
    throw new PackError('format', `not a Ringside ${magic} file (it starts with ${JSON.stringify(m.slice(0, 20))})`);
  return { head: bytes.subarray(0, second + 1), json, rest: bytes.subarray(second + 1) };
}

/**
 * The length rule, checked wherever a pack is encrypted. The strength rule (zxcvbn-ts) is checked by createPack
 * (worker and CLI): its dictionaries stay out of technician mode, which only decrypts packs.
 */
export function validatePassphrase(passphrase: string): void {
  if (passphrase.length < 12) throw new PackError('passphrase', 'the pack passphrase must be at least 12 characters');
}

/**
 * The iteration floor is a parameter of the two format functions, MIN_ITERATIONS unless a caller lowers it: only the
 * format's own tests do (test/unit/core/field/format-rules.test.ts), so that their many round trips do not each
 * derive 600,000 iterations. createPack always writes at least MIN_ITERATIONS, and every pack opened in the
 * technician's view, the CLI and resultsFromPack is read with the default floor (tests pin both).
 */
export async function encryptPack(
  payload: PackPayload,
  passphrase: string,
  iterations = MIN_ITERATIONS,
  minIterations = MIN_ITERATIONS,
): Promise<Uint8Array> {
  validatePassphrase(passphrase);
  if (iterations > MAX_ITERATIONS)
    throw new PackError('weak_kdf', `PBKDF2 allows at most ${MAX_ITERATIONS} iterations`);
  if (iterations < minIterations) throw new PackError('weak_kdf', `PBKDF2 needs at least ${minIterations} iterations`);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const header: PackHeader = {
    format: 'ringside-pack',
    version: 1,
    packId: payload.packId,
    site: payload.site,
    devices: payload.devices.length,
    created: payload.created,
    expires: payload.expires,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: b64(salt) },
    cipher: { name: 'AES-GCM', iv: b64(iv) },
    compression: 'gzip',
  };
  const head = enc.encode(`${PACK_MAGIC}\n${JSON.stringify(header)}\n`);
  const key = await deriveAes(passphrase, salt, iterations);
  const plain = gzipSync(enc.encode(JSON.stringify(payload)), { level: 6, mtime: 0 });
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: buf(head) }, key, buf(plain)),
  );
  const out = new Uint8Array(head.length + ct.length);
  out.set(head);
  out.set(ct, head.length);
  return out;
}

/** Reads the header only (no passphrase): what the open dialog shows before asking. */
export function readPackHeader(bytes: Uint8Array): PackHeader {
  const { json } = splitHead(bytes, PACK_MAGIC);
  let h: PackHeader;
  try {
    h = JSON.parse(json) as PackHeader;
  } catch {
    throw new PackError('format', 'the field pack header is not valid JSON');
  }
  if (h.format !== 'ringside-pack' || h.version !== 1)
    throw new PackError('format', `unsupported field pack format ${String(h.format)} v${String(h.version)}`);
  return h;
}

/** Opens a pack: refuses an expired one (by the header's expiry, itself authenticated) and a wrong passphrase. */
export async function decryptPack(
  bytes: Uint8Array,
  passphrase: string,
  now: number,
  minIterations = MIN_ITERATIONS,
): Promise<PackPayload> {
  const { head } = splitHead(bytes, PACK_MAGIC);
  const h = readPackHeader(bytes);
  if (now > h.expires)
    throw new PackError(
      'expired',
      `This field pack expired on ${new Date(h.expires).toISOString().replace('T', ' ').slice(0, 16)} UTC and will not open. Ask the incident lead for a new pack.`,
    );
  if (!(h.kdf.iterations >= minIterations))
    throw new PackError(
      'weak_kdf',
      `the pack asks for only ${h.kdf.iterations} PBKDF2 iterations; refusing to open it`,
    );
  if (!Number.isInteger(h.kdf.iterations) || h.kdf.iterations > MAX_ITERATIONS)
    throw new PackError(
      'weak_kdf',
      `the pack header asks for ${String(h.kdf.iterations)} PBKDF2 iterations, more than the ${MAX_ITERATIONS} Ringside allows: the header was edited; refusing to open it`,
    );
  const key = await deriveAes(passphrase, unb64(h.kdf.salt), h.kdf.iterations);
  let plain: Uint8Array;
  try {
    plain = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: buf(unb64(h.cipher.iv)), additionalData: buf(head) },
        key,
        buf(bytes.subarray(head.length)),
      ),
    );
  } catch {
    throw new PackError(
      'passphrase',
      'Wrong passphrase, or the pack file was altered: it could not be decrypted. Check the passphrase (it is case-sensitive).',
    );
  }
  const payload = JSON.parse(dec.decode(gunzipSync(plain))) as PackPayload;
  if (payload.packId !== h.packId) throw new PackError('format', 'the pack header and contents disagree');
  return payload;
}

// ---------------------------------------------------------------------------------------------------------------
// Results files

export interface FieldEvent {
  kind: 'key.reveal';
  deviceId: number;
  keyId: string;
  at: number;
}

export interface ResultRecord {
  deviceId: number;
  hostname: string;
  result: FieldResult;
  method: string | null;
  at: number;
  technician: string;
  keyIdUsed: string | null;
  notes: string | null;
}

export interface ResultsBody {
  format: 'ringside-results';
  version: 1;
  packId: string;
  technician: string;
  exportedAt: number;
  records: ResultRecord[];
  events: FieldEvent[];
  /** The pack's audit head, carried back with the results (signed with them). */
  audit?: AuditHead;
}

async function hmacKey(macKey: Uint8Array): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', buf(macKey), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: enc.encode('ringside/results/hmac-sha256') },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
}

/** The identity of a result record: the same record in two files (or imported twice) counts once. */
export function recordHash(packId: string, r: ResultRecord): string {
  return sha256HexSync(
    JSON.stringify([packId, r.deviceId, r.result, r.method, r.at, r.technician, r.keyIdUsed, r.notes]),
  );
}

/** `RINGRESULTS1\n{body}\nsignature <hex>\n`: the HMAC covers the exact body bytes. */
export async function signResults(body: ResultsBody, macKey: Uint8Array): Promise<Uint8Array> {
  const json = JSON.stringify(body);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(macKey), enc.encode(json)));
  return enc.encode(`${RESULTS_MAGIC}\n${json}\nsignature ${toHex(sig)}\n`);
}

/** Parses a results file without checking the signature (to find its pack); verifyResults checks it. */
export function parseResults(bytes: Uint8Array): { body: ResultsBody; json: string; signature: string } {
  const { json, rest } = splitHead(bytes, RESULTS_MAGIC);
  let text: string;
  try {
    text = dec.decode(rest);
  } catch {
    throw new PackError('format', 'the results file signature line is not UTF-8');
  }
  const m = /^signature ([0-9a-f]{64})\n?$/.exec(text);
  if (!m) throw new PackError('signature', 'the results file has no valid signature line');
  let body: ResultsBody;
  try {
    body = JSON.parse(json) as ResultsBody;
  } catch {
    throw new PackError('format', 'the results file body is not valid JSON');
  }
  if (body.format !== 'ringside-results' || body.version !== 1 || !Array.isArray(body.records))
    throw new PackError('format', 'not a Ringside results file (format/version)');
  return { body, json, signature: m[1]! };
}

export async function verifyResults(bytes: Uint8Array, macKey: Uint8Array): Promise<ResultsBody> {
  const { body, json, signature } = parseResults(bytes);
  const sig = new Uint8Array(signature.length / 2);
  for (let i = 0; i < sig.length; i++) sig[i] = parseInt(signature.slice(i * 2, i * 2 + 2), 16);
  const ok = await crypto.subtle.verify('HMAC', await hmacKey(macKey), sig, enc.encode(json));
  if (!ok)
    throw new PackError(
      'signature',
      `The results file's signature does not match pack ${body.packId}: it was altered after export, or not made from that pack. Nothing was imported.`,
    );
  return body;
}
