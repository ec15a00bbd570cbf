// The text reader: `manage-bde -protectors -get` output, its numerical passwords handed over as key rows.
import type { JobOptions } from '../../contract/jobs.js';
import type { ImportInput } from '../../contract/ingest.js';
import { FileError } from '../errors.js';
import type { CsvSink } from '../rows.js';
import { contentHash, readWhole } from './bytes.js';
import type { DecodeState, TextEncoding } from './decode.js';
import { MAX_JSON_BYTES } from './json.js';

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

/** Reads the whole output (it is small) and hands its protectors to the sink as one batch. */
export async function readManageBde(
  input: ImportInput,
  encoding: TextEncoding,
  state: DecodeState,
  opts: JobOptions,
  sink: CsvSink,
): Promise<void> {
  const bytes = await readWhole(input, MAX_JSON_BYTES, opts);
  state.bytes = bytes.byteLength;
  state.encoding = encoding;
  const t = parseManageBde(new TextDecoder(state.encoding).decode(bytes));
  if (await sink.header({ names: t.names, line: 1, delimiter: '', notes: ['manage-bde -protectors -get output'] }))
    await sink.rows(t.rows, t.lines, t.rows.length);
  state.sha256 = await contentHash(bytes);
}
