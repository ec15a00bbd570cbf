// The JSON reader (Falcon / SentinelOne / Defender APIs, Graph keys): records found, flattened to rows, read whole.
import type { JobOptions } from '../../contract/jobs.js';
import type { ImportInput } from '../../contract/ingest.js';
import { FileError } from '../errors.js';
import type { CsvSink } from '../rows.js';
import { contentHash, readWhole } from './bytes.js';
import { sniffEncoding, type DecodeState } from './decode.js';

/** JSON is read whole; beyond this size it is refused with a clear message. */
export const MAX_JSON_BYTES = 512 << 20;
/** Nested values deeper than this are kept as text instead of being walked. */
const MAX_DEPTH = 64;

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

/** Hands flattened records to the sink in batches; "line" is the record number. */
export async function feedJson(doc: unknown, sink: CsvSink): Promise<void> {
  const { names, rows } = flattenRecords(jsonRecords(doc));
  if (
    !(await sink.header({
      names,
      line: 1,
      delimiter: '',
      notes: [`JSON: ${rows.length} records; "line" is the record number`],
    }))
  )
    return;
  for (let i = 0; i < rows.length; i += 5000) {
    const part = rows.slice(i, i + 5000);
    await sink.rows(
      part,
      part.map((_, j) => i + j + 1),
      part.length,
    );
  }
}

/** Reads a JSON file whole (parsed in one go, not streamed) into the sink. */
export async function readJson(
  input: ImportInput,
  head: Uint8Array,
  state: DecodeState,
  opts: JobOptions,
  sink: CsvSink,
): Promise<void> {
  const bytes = await readWhole(input, MAX_JSON_BYTES, opts);
  state.bytes = bytes.byteLength;
  state.encoding = sniffEncoding(head).encoding;
  await feedJson(parseJsonBytes(bytes), sink);
  state.sha256 = await contentHash(bytes);
}
