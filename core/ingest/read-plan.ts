// The reading thread's share of the per-row work (see ReadPlan): redaction, the raw rows' encoding, unread cells left out.
import { redactSecrets, hasRecoveryPassword } from '../secrets/redact.js';
import { encodeRows } from '../store/raw-rows.js';
import type { EncodedRows } from '../store/raw-rows.js';
import type { ReadPlan } from './rows.js';

/**
 * The first `count` rows as the plan asks them handed over: redacted as the host's sink redacts them (a row with a
 * secret is copied first: the reader's arrays stay as they were), encoded for raw_chunks before any cell is left
 * out, then cut down to the columns the writer reads: compact rows of `plan.cols` in that order, or (a plan not
 * compact) whole-width copies with the other cells empty. A wide export's other columns then cost the handover
 * and the writing thread nothing.
 */
export function prepareBatch(
  rows: string[][],
  lines: ArrayLike<number>,
  count: number,
  plan: ReadPlan,
): { rows: string[][]; raw?: EncodedRows } {
  const src = redacted(rows, count, plan.keep);
  const raw = plan.raw ? encodeRows(src, lines, count) : undefined;
  const cols = plan.cols;
  const out = new Array<string[]>(count);
  if (plan.compact) {
    const k = cols.length;
    for (let r = 0; r < count; r++) {
      const row = src[r]!;
      const o = new Array<string>(k);
      for (let j = 0; j < k; j++) o[j] = row[cols[j]!]!;
      out[r] = o;
    }
  } else {
    const read: boolean[] = [];
    for (const c of cols) read[c] = true;
    for (let r = 0; r < count; r++) {
      const row = src[r]!.slice();
      for (let i = 0; i < row.length; i++) if (read[i] !== true) row[i] = '';
      out[r] = row;
    }
  }
  return raw ? { rows: out, raw } : { rows: out };
}

/** The rows with every cell but column `keep` redacted (redactRows' rule), copying only the rows that change. */
function redacted(rows: string[][], count: number, keep: number): string[][] {
  let out: string[][] | null = null;
  for (let r = 0; r < count; r++) {
    let row = rows[r]!;
    for (let i = 0; i < row.length; i++) {
      const v = row[i]!;
      if (i === keep || !hasRecoveryPassword(v)) continue;
      if (row === rows[r]) {
        out ??= rows.slice(0, count);
        out[r] = row = row.slice();
      }
      row[i] = redactSecrets(v);
    }
  }
  return out ?? rows;
}

/** The columns a writer reads: every field's column it was given, and the time columns. */
export function readColumns(cols: Record<string, number>, tsCols: number[]): number[] {
  return [...new Set([...Object.values(cols).filter((c) => c >= 0), ...tsCols])].sort((a, b) => a - b);
}

/**
 * A writer's columns as compact rows hold them (see ReadPlan.compact): its fields' and time columns' places among
 * `read`, and the names of the cells a compact row has.
 */
export function compactColumns<F extends string>(
  names: string[],
  cols: Record<F, number>,
  tsCols: number[],
  read: number[],
): { header: string[]; cols: Record<F, number>; tsCols: number[] } {
  const at = (c: number) => (c >= 0 ? read.indexOf(c) : -1);
  const mapped = {} as Record<F, number>;
  for (const f of Object.keys(cols) as F[]) mapped[f] = at(cols[f]);
  return { header: read.map((c) => names[c]!), cols: mapped, tsCols: tsCols.map(at) };
}
