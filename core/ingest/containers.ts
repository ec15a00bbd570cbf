// Non-CSV containers: ZIP (Intune exports), JSON (Falcon / SentinelOne / Defender APIs, Graph keys), flattened to rows.
import { throwIfCancelled, type JobOptions } from '../contract/jobs.js';
import type { ImportInput } from '../contract/ingest.js';
import { buf, toHex } from '../secrets/box.js';
import { BLOCK, FileError, sniffEncoding } from './decode.js';
import { unsafeEntryName, ZIP_LIMITS, type ZipArchive, type ZipEntry } from './zip.js';

/** ZIP and JSON are read whole; beyond these sizes they are refused with a clear message. */
export const MAX_ZIP_BYTES = ZIP_LIMITS.maxArchiveBytes;
export const MAX_JSON_BYTES = 512 << 20;
/** Nested values deeper than this are kept as text instead of being walked. */
const MAX_DEPTH = 64;

export async function peekBytes(input: ImportInput, n = 4096): Promise<Uint8Array> {
  const reader = input.stream().getReader();
  try {
    const parts: Uint8Array[] = [];
    let got = 0;
    while (got < n) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
      got += value.byteLength;
    }
    const out = new Uint8Array(Math.min(got, n));
    let o = 0;
    for (const p of parts) {
      const take = Math.min(p.byteLength, out.byteLength - o);
      out.set(p.subarray(0, take), o);
      o += take;
      if (o >= out.byteLength) break;
    }
    return out;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

export function isZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/** First non-space character of the text is `{` or `[` (after a BOM, in UTF-8 or UTF-16). */
export function looksLikeJson(head: Uint8Array): boolean {
  let text: string;
  try {
    const { encoding } = sniffEncoding(head);
    text = new TextDecoder(encoding).decode(head);
  } catch {
    return false;
  }
  const t = text.replace(/^\uFEFF/, '').trimStart();
  return t.startsWith('{') || t.startsWith('[');
}

/** The same content identity as the streamed path: SHA-256 over the SHA-256 of each 1 MiB block. */
export async function contentHash(bytes: Uint8Array): Promise<string> {
  const n = Math.max(1, Math.ceil(bytes.byteLength / BLOCK));
  const cat = new Uint8Array(n * 32);
  for (let i = 0; i < n; i++) {
    const block = bytes.slice(i * BLOCK, Math.min(bytes.byteLength, (i + 1) * BLOCK));
    cat.set(new Uint8Array(await crypto.subtle.digest('SHA-256', buf(block))), i * 32);
  }
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', cat)));
}

/**
 * The export inside a ZIP: the largest CSV/JSON/text entry, chosen from the checked directory before anything is
 * inflated. Every other entry is named in the notes with why it was not read.
 */
export function pickExport(zip: ZipArchive): { entry: ZipEntry; notes: string[] } {
  const notes: string[] = [];
  const others: string[] = [];
  const candidates: ZipEntry[] = [];
  for (const e of zip.entries) {
    if (e.name.endsWith('/')) continue;
    if (!/\.(csv|json|txt|tsv)$/i.test(e.name)) {
      if (/\.zip$/i.test(e.name)) notes.push(`skipped ${e.name} in the archive: nested archives are not opened`);
      else others.push(e.name);
      continue;
    }
    const why =
      unsafeEntryName(e.name) ??
      (e.encrypted
        ? 'it is encrypted'
        : e.method !== 0 && e.method !== 8
          ? `compression ${e.method} is not read`
          : null);
    if (why) notes.push(`skipped ${e.name} in the archive: ${why}`);
    else candidates.push(e);
  }
  if (others.length)
    notes.push(
      `not read (not CSV or JSON): ${others.slice(0, 20).join(', ')}${others.length > 20 ? `, and ${others.length - 20} more` : ''}`,
    );
  candidates.sort((a, b) => b.size - a.size);
  const entry = candidates[0];
  if (!entry)
    throw new FileError(`${zip.name} holds no CSV or JSON file${notes.length ? ` (${notes.join('; ')})` : ''}`);
  for (const e of candidates.slice(1))
    notes.push(`skipped ${e.name} in the archive: one export is read per ZIP (the largest); import it on its own`);
  return { entry, notes: [`read ${entry.name} from the ZIP archive`, ...notes] };
}

/** Decodes a whole JSON file and parses it; every failure is one user-facing sentence. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  const { encoding } = sniffEncoding(bytes.subarray(0, 4096));
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new FileError(`the JSON file is not valid ${encoding.toUpperCase()} text`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    if (e instanceof RangeError) throw new FileError('the JSON is nested too deeply to read');
    throw new FileError(`not valid JSON: ${(e as Error).message}`);
  }
}

/** Finds the list of records: a top-level array, or the array under resources / data / value / devices / hosts. */
export function jsonRecords(doc: unknown): Record<string, unknown>[] {
  let arr: unknown = doc;
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    arr = ['resources', 'data', 'value', 'devices', 'hosts', 'machines', 'agents', 'items', 'results']
      .map((k) => o[k])
      .find(Array.isArray);
    if (arr === undefined) arr = [doc];
  }
  if (!Array.isArray(arr)) throw new FileError('the JSON holds no list of records');
  const out: Record<string, unknown>[] = [];
  for (const r of arr) if (r && typeof r === 'object' && !Array.isArray(r)) out.push(r as Record<string, unknown>);
  if (!out.length && arr.length) throw new FileError('the JSON list holds no objects (records)');
  return out;
}

function flat(v: unknown, depth: number): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (depth > MAX_DEPTH) return '[nested too deeply]';
  if (Array.isArray(v)) return v.map((x) => flat(x, depth + 1)).join(', ');
  if (typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return '[nested too deeply]';
    }
  }
  return String(v);
}

/** Flattens records to a header (union of keys, first-seen order) and string rows; arrays become `a, b`. */
export function flattenRecords(records: Record<string, unknown>[]): { names: string[]; rows: string[][] } {
  const index = new Map<string, number>();
  for (const r of records) for (const k of Object.keys(r)) if (!index.has(k)) index.set(k, index.size);
  if (index.size > 10_000)
    throw new FileError(`the JSON records have ${index.size} distinct fields; at most 10000 are supported`);
  const names = [...index.keys()];
  const rows = records.map((r) => {
    const row = new Array<string>(names.length).fill('');
    for (const [k, v] of Object.entries(r)) row[index.get(k)!] = flat(v, 0);
    return row;
  });
  return { names, rows };
}

export async function readWhole(input: ImportInput, cap: number, opts: JobOptions): Promise<Uint8Array> {
  if (input.size > cap)
    throw new FileError(`the file is ${input.size} bytes; files of this kind are read whole, up to ${cap}`);
  const reader = input.stream().getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    for (;;) {
      throwIfCancelled(opts.signal);
      const { value, done } = await reader.read();
      if (done) break;
      n += value.byteLength;
      if (n > cap) throw new FileError(`the file is larger than ${cap} bytes; files of this kind are read whole`);
      parts.push(value);
      opts.onProgress?.({ phase: 'read', done: n, total: input.size });
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** `manage-bde -protectors -get` output (English): the Numerical Password protectors with their IDs. */
export function looksLikeManageBde(headText: string): boolean {
  return /BitLocker Drive Encryption: Configuration Tool/i.test(headText) || /Numerical Password:/i.test(headText);
}

export function parseManageBde(text: string): { names: string[]; rows: string[][]; lines: number[] } {
  const names = ['Volume', 'KeyID', 'RecoveryPassword', 'ComputerName'];
  const rows: string[][] = [];
  const lines: number[] = [];
  const all = text.split(/\r?\n/);
  let volume = '';
  let computer = '';
  for (let i = 0; i < all.length; i++) {
    const l = all[i]!.trim();
    let m = /^Volume ([A-Z]:)/i.exec(l);
    if (m) volume = m[1]!;
    m = /^Computer ?Name:\s*(\S+)/i.exec(l);
    if (m) computer = m[1]!;
    if (/^Numerical Password:/i.test(l)) {
      let id = '';
      let pw = '';
      let at = i + 1;
      for (let j = i + 1; j < Math.min(all.length, i + 8); j++) {
        const t = all[j]!.trim();
        const idm = /^ID:\s*(\{[0-9A-F-]+\})/i.exec(t);
        if (idm) id = idm[1]!;
        if (/^Password:/i.test(t)) {
          pw = t.replace(/^Password:\s*/i, '') || (all[j + 1] ?? '').trim();
          at = j + 1;
          break;
        }
      }
      rows.push([volume, id, pw, computer]);
      lines.push(at);
    }
  }
  if (!rows.length) throw new FileError('the manage-bde output lists no numerical password protector');
  return { names, rows, lines };
}
