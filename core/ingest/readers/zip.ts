// The ZIP reader (Intune exports): the one export inside picked from the checked directory, then read as CSV or JSON.
import type { JobOptions } from '../../contract/jobs.js';
import type { ImportInput } from '../../contract/ingest.js';
import { FileError } from '../errors.js';
import type { CsvSink } from '../rows.js';
import { contentHash } from './bytes.js';
import { readCsv } from './csv.js';
import { decodeText, type DecodeState, type TextEncoding } from './decode.js';
import { feedJson, looksLikeJson, MAX_JSON_BYTES, parseJsonBytes } from './json.js';
import { unsafeEntryName, ZIP_LIMITS, ZipArchive, type ZipEntry } from './zip-archive.js';

/** A ZIP is read whole; beyond this size it is refused with a clear message. */
export const MAX_ZIP_BYTES = ZIP_LIMITS.maxArchiveBytes;

export function isZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
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

/** Reads the archive's one export into the sink; the hash is of the archive's bytes. */
export async function readZip(
  bytes: Uint8Array,
  name: string,
  state: DecodeState,
  opts: JobOptions & { force?: TextEncoding },
  sink: CsvSink,
  notes: string[],
): Promise<void> {
  // The directory is checked against the limits here, before any entry is inflated; the entry is then streamed.
  const zip = new ZipArchive(bytes, name);
  const { entry, notes: zipNotes } = pickExport(zip);
  notes.push(...zipNotes);
  if (looksLikeJson(await zip.head(entry))) await feedJson(parseJsonBytes(await zip.read(entry, MAX_JSON_BYTES)), sink);
  else {
    const innerInput: ImportInput = { name: entry.name, size: entry.size, stream: () => zip.stream(entry) };
    const innerState: DecodeState = { encoding: null, bom: false, bytes: 0, sha256: null, notes: [] };
    await readCsv(decodeText(innerInput, innerState, opts), sink);
    state.encoding = innerState.encoding;
  }
  state.sha256 = await contentHash(bytes);
}
