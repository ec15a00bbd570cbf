// The keys writer: BitLocker recovery passwords validated (never corrected), sealed, and linked to their device.
import { REDACTED } from '../../secrets/redact.js';
import { KeyInserts } from '../../store/keys.js';
import type { Field } from '../formats.js';
import { keyProblem, normKeyId } from '../keys.js';
import { clean, hostKey, normGuid, parseDate } from '../normalize.js';
import { usableRows, type RowNote } from '../rows.js';
import { colName, type Writer, type WriterContext } from './types.js';

/** The device a key belongs to, from its hint: an Entra device id, a hostname, or an AD DN (of the key object or the computer). */
export function keyHostHint(hint: string): { key: string | null; hostKey: string } {
  const g = normGuid(hint);
  if (g) return { key: g, hostKey: '' };
  let h = hint.trim();
  // msFVE-RecoveryInformation DN: CN=<time>{GUID},CN=PC-0142,OU=… — the computer is the parent.
  if (/^cn=[^,]*\{[0-9a-f-]{36}\}/i.test(h)) h = h.slice(h.search(/,cn=/i) + 1);
  return { key: null, hostKey: hostKey(h) };
}

const SEAL_BATCH = 128;

export function keysWriter(ctx: WriterContext): Writer {
  const { cols: c, problems, ws } = ctx;
  const ins = new KeyInserts(ws.db, ctx.importId);
  const idField = colName(ctx, 'key_id', 'KeyID');
  const keyField = colName(ctx, 'key', 'RecoveryKey');
  const get = (row: string[], f: Field) => (c[f] >= 0 ? clean(row[c[f]]) : '');
  const w: Writer = {
    duplicates: 0,
    async write(rows, lines, count) {
      const todo: {
        line: number;
        keyId: string;
        pw: string;
        hint: string;
        vol: string | null;
        created: number | null;
        note: RowNote | null;
      }[] = [];
      for (const { row, line, note } of usableRows(rows, lines, count, problems)) {
        const idRaw = get(row, 'key_id');
        const keyId = normKeyId(idRaw);
        if (!keyId) {
          problems.reject(
            line,
            idField,
            idRaw.includes(REDACTED)
              ? `the key ID cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell`
              : idRaw
                ? `"${idRaw.slice(0, 60)}" is not a key ID (GUID)`
                : 'the key ID is empty',
          );
          continue;
        }
        const pw = get(row, 'key');
        if (!pw) {
          problems.reject(line, keyField, 'the recovery password is empty');
          continue;
        }
        let hint = get(row, 'key_host');
        // AD exports: the object name holds the ID; the DN names the computer.
        if (!hint && c.dn >= 0) hint = get(row, 'dn');
        if (hint.includes(REDACTED)) {
          // A password where the device should be (a shifted row): no device hint rather than a redacted one.
          problems.flag(
            line,
            colName(ctx, c.key_host >= 0 ? 'key_host' : 'dn', 'device'),
            `the device cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell, so the key is not linked to a device`,
          );
          hint = '';
        }
        const createdRaw = get(row, 'created');
        const created = createdRaw ? parseDate(createdRaw) : null;
        todo.push({
          line,
          keyId,
          pw,
          hint,
          vol: get(row, 'volume_type') || null,
          created: created !== null && !Number.isNaN(created) ? created : null,
          note,
        });
      }
      // A few hundred WebCrypto calls in flight at a time: thousands queued at once cost more CPU per call.
      const sealed: [Uint8Array, string][] = [];
      for (let i = 0; i < todo.length; i += SEAL_BATCH) {
        const part = todo.slice(i, i + SEAL_BATCH);
        sealed.push(
          ...(await Promise.all(part.map((t) => Promise.all([ws.box.seal(t.pw), ws.box.fingerprint(t.pw)])))),
        );
      }
      let ok = 0;
      todo.forEach((t, i) => {
        const problem = keyProblem(t.pw);
        const h = t.hint ? keyHostHint(t.hint) : { key: null, hostKey: '' };
        const deviceId = t.hint ? ctx.idx.lookup(h.key, h.hostKey) : null;
        const [secret, fp] = sealed[i]!;
        const added = ins.add([
          deviceId,
          t.keyId,
          t.hint || null,
          secret,
          fp,
          problem ? 0 : 1,
          problem,
          t.vol,
          t.created,
          t.line,
        ]);
        if (!added) {
          w.duplicates++;
        } else if (problem) {
          problems.flag(t.line, keyField, `invalid recovery password, flagged and never corrected: ${problem}`);
        }
        if (t.note) problems.flag(t.line, t.note.field, t.note.message);
        ok++;
      });
      // Drop the plaintext passwords as soon as they are sealed.
      todo.length = 0;
      return ok;
    },
    free() {
      ins.free();
    },
  };
  return w;
}
