// The reading thread's share of the per-row work (see ReadPlan): redaction, the raw rows' encoding, unread cells left out.
import { redactRows } from '../secrets/redact.js';
import { encodeRows } from '../store/raw-rows.js';
import type { EncodedRows } from '../store/raw-rows.js';
import type { ReadPlan } from './rows.js';

/**
 * The first `count` rows as the plan asks them handed over: copies (a reader may reuse its arrays), redacted as the
 * host's sink redacts them, encoded for raw_chunks before any cell is left out, then with the cells the writer
 * does not read made empty (a wide export's other columns then cost the handover and the writing thread nothing).
 */
export function prepareBatch(
  rows: string[][],
  lines: ArrayLike<number>,
  count: number,
  plan: ReadPlan,
): { rows: string[][]; raw?: EncodedRows } {
  const out = new Array<string[]>(count);
  for (let r = 0; r < count; r++) out[r] = rows[r]!.slice();
  redactRows(out, count, plan.keep);
  const raw = plan.raw ? encodeRows(out, lines, count) : undefined;
  const read: boolean[] = [];
  for (const c of plan.cols) read[c] = true;
  for (let r = 0; r < count; r++) {
    const row = out[r]!;
    for (let i = 0; i < row.length; i++) if (read[i] !== true) row[i] = '';
  }
  return raw ? { rows: out, raw } : { rows: out };
}

/** The columns a writer reads: every field's column it was given, and the time columns. */
export function readColumns(cols: Record<string, number>, tsCols: number[]): number[] {
  return [...new Set([...Object.values(cols).filter((c) => c >= 0), ...tsCols])].sort((a, b) => a - b);
}
