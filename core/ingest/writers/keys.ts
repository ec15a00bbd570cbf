// The keys writer: BitLocker recovery passwords validated (never corrected), sealed in chunks, linked to their device.
import { REDACTED } from '../../secrets/redact.js';
import { type ChunkKey, KEY_CHUNK, sealKeyChunk } from '../../secrets/key-vault.js';
import { KeyChunkWrites, KeyInserts, type KeyValue } from '../../store/keys.js';
import type { Field } from '../formats.js';
import { keyProblem, normKeyId } from '../keys.js';
import { clean, hostKey, normGuid, parseDate } from '../normalize.js';
import { usableRows, type RowNote } from '../rows.js';
import { colName, type Writer, type WriterContext } from './types.js';

/** The device a key belongs to, from its hint: an Entra device id, a hostname, or an AD DN (of the key object or the computer). */
export function keyHostHint(hint: string): { key: string | null; hostKey: string } {
  const g = normGuid(hint);
  if (g) return { key: g, hostKey: '' };
  return { key: null, hostKey: hintHostKey(hint) };
}

export function keysWriter(ctx: WriterContext): Writer {
  const { cols: c, problems, ws } = ctx;
  const ins = new KeyInserts(ws.db, ctx.importId);
  const chunkRows = new KeyChunkWrites(ws.db);
  const idField = colName(ctx, 'key_id', 'KeyID');
  const keyField = colName(ctx, 'key', 'RecoveryKey');
  const get = (row: string[], f: Field) => (c[f] >= 0 ? clean(row[c[f]]) : '');
  // One row's values for ins.add, reused: KeyInserts copies or binds them before it returns.
  const params: KeyValue[] = new Array<KeyValue>(11).fill(null);
  const w: Writer = {
    duplicates: 0,
    async write(rows, lines, count) {
      // The batch's usable rows, a column each (no object per row): rejections are reported in this first pass.
      const line: number[] = [];
      const keyIds: string[] = [];
      const pws: string[] = [];
      const hints: string[] = [];
      const vols: (string | null)[] = [];
      const created: (number | null)[] = [];
      const notes: (RowNote | null)[] = [];
      for (const { row, line: at, note } of usableRows(rows, lines, count, problems)) {
        const idRaw = get(row, 'key_id');
        const keyId = normKeyId(idRaw);
        if (!keyId) {
          problems.reject(
            at,
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
          problems.reject(at, keyField, 'the recovery password is empty');
          continue;
        }
        let hint = get(row, 'key_host');
        // AD exports: the object name holds the ID; the DN names the computer.
        if (!hint && c.dn >= 0) hint = get(row, 'dn');
        if (hint.includes(REDACTED)) {
          // A password where the device should be (a shifted row): no device hint rather than a redacted one.
          problems.flag(
            at,
            colName(ctx, c.key_host >= 0 ? 'key_host' : 'dn', 'device'),
            `the device cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell, so the key is not linked to a device`,
          );
          hint = '';
        }
        const createdRaw = get(row, 'created');
        const t = createdRaw ? parseDate(createdRaw) : null;
        line.push(at);
        keyIds.push(keyId);
        pws.push(pw);
        hints.push(hint);
        vols.push(get(row, 'volume_type') || null);
        created.push(t !== null && !Number.isNaN(t) ? t : null);
        notes.push(note);
      }
      let ok = 0;
      const chunks: Array<{ id: number; sealing: ReturnType<typeof sealKeyChunk> }> = [];
      const n = keyIds.length;
      for (let start = 0; start < n; start += KEY_CHUNK) {
        // Rows first, so a duplicate (left as it is) takes no slot; then one AES-GCM call seals the chunk's new keys.
        const chunkId = chunkRows.create();
        const fresh: ChunkKey[] = [];
        for (let i = start; i < Math.min(start + KEY_CHUNK, n); i++) {
          const pw = pws[i]!;
          const hint = hints[i]!;
          const problem = keyProblem(pw);
          params[0] = hint ? hintDevice(ctx, hint) : null;
          params[1] = keyIds[i]!;
          params[2] = hint || null;
          params[3] = ws.box.fingerprintSync(pw);
          params[4] = problem ? 0 : 1;
          params[5] = problem;
          params[6] = vols[i]!;
          params[7] = created[i]!;
          params[8] = line[i]!;
          params[9] = chunkId;
          params[10] = fresh.length;
          if (!ins.add(params)) {
            w.duplicates++;
          } else {
            fresh.push({ keyId: keyIds[i]!, hostHint: hint || null, password: pw });
            if (problem)
              problems.flag(line[i]!, keyField, `invalid recovery password, flagged and never corrected: ${problem}`);
          }
          const note = notes[i];
          if (note) problems.flag(line[i]!, note.field, note.message);
          ok++;
        }
        if (fresh.length === 0) chunkRows.dropIfEmpty(chunkId);
        else chunks.push({ id: chunkId, sealing: sealKeyChunk(ws.box, chunkId, fresh) });
      }
      ins.flush();
      // No chunk row is written until every seal is done: a failed seal fails the file (its savepoint rolls back)
      // and no write from a seal still in flight can land after the rollback.
      const sealed = await Promise.all(chunks.map((c) => c.sealing));
      // Seal 3: the chunk's bound list is its key rows, so key_chunks keeps none ('').
      chunks.forEach((c, i) => chunkRows.seal(c.id, sealed[i]!.nonce, sealed[i]!.sealed, ''));
      // Drop the plaintext passwords as soon as they are sealed.
      pws.length = 0;
      return ok;
    },
    free() {
      ins.free();
      chunkRows.free();
    },
  };
  return w;
}

/** The device a key's (non-empty) hint names, by keyHostHint's rules, without an object per key. */
function hintDevice(ctx: WriterContext, hint: string): number | null {
  const g = normGuid(hint);
  return g ? ctx.idx.lookup(g, '') : ctx.idx.lookup(null, hintHostKey(hint));
}

/** keyHostHint's host key of a hint that is not a GUID. */
function hintHostKey(hint: string): string {
  let h = hint.trim();
  // msFVE-RecoveryInformation DN: CN=<time>{GUID},CN=PC-0142,OU=… — the computer is the parent.
  if (/^cn=[^,]*\{[0-9a-f-]{36}\}/i.test(h)) h = h.slice(h.search(/,cn=/i) + 1);
  return hostKey(h);
}
