// The keys writer: BitLocker recovery passwords validated (never corrected), sealed in chunks, linked to their device.
import { REDACTED } from '../../secrets/redact.js';
import { type ChunkKey, KEY_CHUNK, sealKeyChunk } from '../../secrets/key-vault.js';
import { dropKeyChunk, fillKeyChunk, KeyInserts, newKeyChunk } from '../../store/keys.js';
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
      let ok = 0;
      const chunks: Array<{ id: number; sealing: ReturnType<typeof sealKeyChunk> }> = [];
      for (let start = 0; start < todo.length; start += KEY_CHUNK) {
        // Rows first, so a duplicate (left as it is) takes no slot; then one AES-GCM call seals the chunk's new keys.
        const chunkId = newKeyChunk(ws.db);
        const fresh: ChunkKey[] = [];
        for (let i = start; i < Math.min(start + KEY_CHUNK, todo.length); i++) {
          const t = todo[i]!;
          const problem = keyProblem(t.pw);
          const h = t.hint ? keyHostHint(t.hint) : { key: null, hostKey: '' };
          const deviceId = t.hint ? ctx.idx.lookup(h.key, h.hostKey) : null;
          const added = ins.add([
            deviceId,
            t.keyId,
            t.hint || null,
            ws.box.fingerprintSync(t.pw),
            problem ? 0 : 1,
            problem,
            t.vol,
            t.created,
            t.line,
            chunkId,
            fresh.length,
          ]);
          if (!added) {
            w.duplicates++;
          } else {
            fresh.push({ keyId: t.keyId, hostHint: t.hint || null, password: t.pw });
            if (problem)
              problems.flag(t.line, keyField, `invalid recovery password, flagged and never corrected: ${problem}`);
          }
          if (t.note) problems.flag(t.line, t.note.field, t.note.message);
          ok++;
        }
        if (fresh.length === 0) dropKeyChunk(ws.db, chunkId);
        else chunks.push({ id: chunkId, sealing: sealKeyChunk(ws.box, chunkId, fresh) });
      }
      ins.flush();
      // No chunk row is written until every seal is done: a failed seal fails the file (its savepoint rolls back)
      // and no write from a seal still in flight can land after the rollback.
      const sealed = await Promise.all(chunks.map((c) => c.sealing));
      // Seal 3: the chunk's bound list is its key rows, so key_chunks keeps none ('').
      chunks.forEach((c, i) => fillKeyChunk(ws.db, c.id, sealed[i]!.nonce, sealed[i]!.sealed, ''));
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
