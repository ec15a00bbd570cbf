// A key file's per-row normalisation (key ID, device hint, password check, date), pure: a reading thread's or the keys writer's.
import { Fingerprinter } from '../secrets/fingerprint.js';
import { REDACTED } from '../secrets/redact.js';
import type { Field } from './formats.js';
import { keyProblem, normKeyId } from './keys.js';
import { clean, hostKey, normGuid, parseDate } from './normalize.js';
import { CELL, cellValue, NONE, noteRejects, sourceCells } from './norm-cells.js';
import type { RowNote } from './rows.js';

/** What the normalisation of one key file needs (plain data: it crosses to a reading thread in its ReadPlan). */
export interface KeyNormSpec {
  /** Each field's cell in the rows as the writer gets them. */
  cols: Record<Field, number>;
  /** The column names the problems name: the key ID's, the password's, the device hint's. */
  names: Record<'id' | 'key' | 'host', string>;
  /**
   * The workspace's fingerprint key (SecretBox.fingerprintKey): each password's de-duplication fingerprint is made
   * here, off the sql.js thread (a fifth of a key file's time there, two SHA-256 blocks a key).
   */
  fingerprintKey: Uint8Array;
}

/** The string values of a normalised key row, in this order (KeyNorm.cells). */
export const K = {
  keyId: 0,
  password: 1,
  hint: 2,
  volume: 3,
  hintGuid: 4,
  hintHost: 5,
  problem: 6,
  fingerprint: 7,
} as const;
const WIDTH = 8;
/** The field whose cell each value (K's order) is when unchanged (see CELL). */
const SOURCE: (Field | null)[] = ['key_id', 'key', 'key_host', 'volume_type', null, null, null, null];

/** A batch normalised, as FleetNorm: typed arrays and the strings no cell holds, each once. */
export interface KeyNorm {
  kind: 'keys';
  strings: string[];
  /** Row r's value k (see K) is strings[cells[r * 8 + k]]: null for NONE, the row's own cell for CELL. */
  cells: Uint32Array;
  /** Row r's creation time, epoch ms, NaN for none. */
  created: Float64Array;
  /** 1 for a row with values here; 0 for one rejected (by its reader's note, or by a problem below). */
  ok: Uint8Array;
  /** The problems the rows raised, in the order raised, each with its row's index in the batch. */
  problems: RowNote[];
}

/** Where each value's SOURCE cell is in the rows (-1: none). */
export function keySourceColumns(spec: KeyNormSpec): number[] {
  return sourceCells(SOURCE, spec.cols);
}

/** The normalised value k of row r (`row`, its cells as the writer got them), or null. */
export function keyValue(n: KeyNorm, r: number, k: number, row: string[], src: number[]): string | null {
  return cellValue(n, WIDTH, r, k, row, src);
}

/** keyHostHint's host key of a hint that is not a GUID. */
export function hintHostKey(hint: string): string {
  let h = hint.trim();
  // msFVE-RecoveryInformation DN: CN=<time>{GUID},CN=PC-0142,OU=… — the computer is the parent.
  if (/^cn=[^,]*\{[0-9a-f-]{36}\}/i.test(h)) h = h.slice(h.search(/,cn=/i) + 1);
  return hostKey(h);
}

/** Normalises a key file's rows batch by batch (nothing is learnt across rows: one per file all the same). */
export class KeyNormaliser {
  private readonly src: number[];
  private readonly fp: Fingerprinter;
  constructor(
    private readonly spec: KeyNormSpec,
    private readonly shared = false,
  ) {
    this.src = keySourceColumns(spec);
    this.fp = new Fingerprinter(spec.fingerprintKey);
  }

  /** The first `count` rows normalised; rows a reader's note rejects (`notes`, sorted by index) are skipped. */
  batch(rows: string[][], lines: ArrayLike<number>, count: number, notes?: readonly RowNote[]): KeyNorm {
    const { cols: c, names } = this.spec;
    const cells = new Uint32Array(count * WIDTH).fill(NONE);
    const created = new Float64Array(count).fill(NaN);
    const ok = new Uint8Array(count);
    const strings: string[] = [];
    const problems: RowNote[] = [];
    // Only the volume type repeats (the other strings are a row's own): looked up when the batch crosses threads.
    const volumes = this.shared ? new Map<string, number>() : null;
    const src = this.src;
    const put = (row: string[], r: number, k: number, v: string | null) => {
      if (v === null) return;
      if (src[k]! >= 0 && v === row[src[k]!]) {
        cells[r * WIDTH + k] = CELL;
        return;
      }
      let at = k === K.volume ? volumes?.get(v) : undefined;
      if (at === undefined) {
        at = strings.length;
        strings.push(v);
        if (k === K.volume) volumes?.set(v, at);
      }
      cells[r * WIDTH + k] = at;
    };
    const rejected = noteRejects(notes);
    for (let r = 0; r < count; r++) {
      if (rejected(r)) continue;
      const row = rows[r]!;
      const get = (f: Field) => (c[f] >= 0 ? clean(row[c[f]]) : '');
      const idRaw = get('key_id');
      const keyId = normKeyId(idRaw);
      if (!keyId) {
        problems.push({
          index: r,
          field: names.id,
          message: idRaw.includes(REDACTED)
            ? `the key ID cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell`
            : idRaw
              ? `"${idRaw.slice(0, 60)}" is not a key ID (GUID)`
              : 'the key ID is empty',
          reject: true,
        });
        continue;
      }
      const pw = get('key');
      if (!pw) {
        problems.push({ index: r, field: names.key, message: 'the recovery password is empty', reject: true });
        continue;
      }
      let hint = get('key_host');
      // AD exports: the object name holds the ID; the DN names the computer.
      if (!hint && c.dn >= 0) hint = get('dn');
      if (hint.includes(REDACTED)) {
        // A password where the device should be (a shifted row): no device hint rather than a redacted one.
        problems.push({
          index: r,
          field: names.host,
          message: `the device cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell, so the key is not linked to a device`,
        });
        hint = '';
      }
      const createdRaw = get('created');
      const t = createdRaw ? parseDate(createdRaw) : null;
      ok[r] = 1;
      put(row, r, K.keyId, keyId);
      put(row, r, K.password, pw);
      put(row, r, K.volume, get('volume_type') || null);
      put(row, r, K.problem, keyProblem(pw));
      put(row, r, K.fingerprint, this.fp.hex128(pw));
      if (hint) {
        put(row, r, K.hint, hint);
        // The device the hint names (keyHostHint's rules): an Entra device ID, else a host key.
        const g = normGuid(hint);
        if (g) put(row, r, K.hintGuid, g);
        else put(row, r, K.hintHost, hintHostKey(hint));
      }
      if (t !== null && !Number.isNaN(t)) created[r] = t;
    }
    return { kind: 'keys', strings, cells, created, ok, problems };
  }
}
