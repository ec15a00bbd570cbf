// Chooses one reader per content kind from a file's first bytes (workbook, ZIP, manage-bde text, event XML or text,
// JSON, else CSV) and runs it into the sink.
import type { JobOptions } from '../contract/jobs.js';
import type { ImportInput } from '../contract/ingest.js';
import { FileError } from './errors.js';
import type { CsvSink } from './rows.js';
import { peekBytes, readWhole } from './readers/bytes.js';
import { readCsv } from './readers/csv.js';
import { decodeText, sniffEncoding, type DecodeState, type TextEncoding } from './readers/decode.js';
import { looksLikeJson, readJson } from './readers/json.js';
import { looksLikeManageBde, readManageBde } from './readers/manage-bde.js';
import { looksLikeEventText, looksLikeEventXml, readWinEvents } from './readers/winevents.js';
import { readWorkbook } from './readers/xlsx.js';
import { sniffWorkbook } from './readers/xlsx-sniff.js';
import { isZip, MAX_ZIP_BYTES, readZip } from './readers/zip.js';

export interface ReadOptions extends JobOptions {
  /** For a workbook: the sheet to read (needed when several sheets look like data). */
  sheet?: string;
  /** Read as this encoding instead of sniffing it (the Windows-1252 retry). */
  force?: TextEncoding;
}

/** Sends the file's records to the sink: CSV streamed, ZIP and JSON read whole (hash of the outer bytes either way). */
export async function readInput(
  input: ImportInput,
  state: DecodeState,
  opts: ReadOptions,
  sink: CsvSink,
  notes: string[],
  onSheet: (sheet: string) => void = () => undefined,
): Promise<void> {
  const head = await peekBytes(input);
  if (head.byteLength === 0) throw new FileError('the file is empty (0 bytes)');
  // An OLE container is an encrypted workbook or an .xls: the sniff says which, in one sentence naming the file.
  if (isCfbLike(head)) {
    sniffWorkbook(await readWhole(input, MAX_ZIP_BYTES, opts), input.name);
    throw new FileError('it is an OLE compound file (not an export Ringside reads)');
  }
  if (isZip(head)) {
    const bytes = await readWhole(input, MAX_ZIP_BYTES, opts);
    state.bytes = bytes.byteLength;
    if (isWorkbook(bytes, input.name)) return onSheet(await readWorkbook(bytes, input.name, state, opts, sink, notes));
    return readZip(bytes, input.name, state, opts, sink, notes);
  }
  const headEncoding = sniffEncodingSafe(head);
  const headText = new TextDecoder(headEncoding).decode(head);
  if (looksLikeManageBde(headText)) return readManageBde(input, headEncoding, state, opts, sink);
  const events = looksLikeEventXml(headText) ? 'xml' : looksLikeEventText(headText) ? 'text' : null;
  if (events) return readWinEvents(decodeText(input, state, opts), sink, notes, events);
  if (looksLikeJson(head)) return readJson(input, head, state, opts, sink);
  await readCsv(decodeText(input, state, opts), sink);
}

const isCfbLike = (b: Uint8Array) => b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0;

/** An XLSX by its ZIP directory; a cut-off ZIP named .xlsx gets the workbook's message, any other the archive's. */
function isWorkbook(bytes: Uint8Array, name: string): boolean {
  try {
    return sniffWorkbook(bytes, name) === 'xlsx';
  } catch (e) {
    if (/\.xls[xm]$/i.test(name)) throw e;
    return false;
  }
}

function sniffEncodingSafe(head: Uint8Array): TextEncoding {
  try {
    return sniffEncoding(head).encoding;
  } catch {
    return 'utf-8';
  }
}
