// Before an import: the "as of" time a status report without a time column would give its rows (header read only).
import type { ImportInput } from '../contract/ingest.js';
import type { Workspace } from '../workspace.js';
import { findAsOf, type AsOf } from './as-of.js';
import { columnsOf, detectFormat } from './formats.js';
import type { DecodeState } from './readers/decode.js';
import type { CsvSink } from './rows.js';
import { readInput } from './sniff.js';

/** What the import view asks about a file before importing it: the "as of" time found for its rows without a time. */
export interface AsOfProbe {
  format: string;
  /** What was found (banner, file name, modified time), or null when nothing was: the user must give a time. */
  found: AsOf | null;
}

/**
 * Reads only a file's header: a recognised status report without a time column (Autopatch's default columns) gives
 * its rows the export's "as of" time, which the import view shows and lets the user change before the import.
 * Null for every other file (rows with their own times, fleet lists, keys, unknown or unreadable files).
 */
export async function probeAsOf(
  _ws: Workspace,
  input: ImportInput,
  opts: { sheet?: string } = {},
): Promise<AsOfProbe | null> {
  const state: DecodeState = { encoding: null, bom: false, bytes: 0, sha256: null, notes: [] };
  let out: AsOfProbe | null = null;
  const sink: CsvSink = {
    header(h) {
      const spec = detectFormat(h.names);
      if (spec?.kind === 'rollout' && columnsOf(spec, h.names, 'ts').length === 0)
        out = { format: spec.format, found: findAsOf(input.name, h.notes, input.lastModified) };
      return false;
    },
    rows() {},
  };
  try {
    await readInput(input, state, opts, sink, []);
  } catch {
    // The import itself reports what is wrong with the file; the probe only has nothing to ask.
    return null;
  }
  return out;
}
