// The keys writer: BitLocker recovery passwords validated (never corrected), sealed in chunks, linked to their device.
import { type ChunkKey, KEY_CHUNK, sealKeyChunk } from '../../secrets/key-vault.js';
import { KeyChunkWrites, KeyInserts, type KeyValue } from '../../store/keys.js';
import { hintHostKey, K, KeyNormaliser, keySourceColumns, keyValue, type KeyNormSpec } from '../key-norm.js';
import { normGuid } from '../normalize.js';
import { problemReplay } from '../norm-cells.js';
import { usableRows, type RowBatch, type RowNote } from '../rows.js';
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
  // Each row's key ID, device hint and password check are made by the reading thread when there is one (see
  // ReadPlan.keys), else here, by the same code.
  const spec: KeyNormSpec = {
    cols: c,
    names: { id: idField, key: keyField, host: colName(ctx, c.key_host >= 0 ? 'key_host' : 'dn', 'device') },
    fingerprintKey: ws.box.fingerprintKey(),
  };
  const src = keySourceColumns(spec);
  let own: KeyNormaliser | null = null;
  // One row's values for ins.add, reused: KeyInserts copies or binds them before it returns.
  const params: KeyValue[] = new Array<KeyValue>(11).fill(null);
  const w: Writer = {
    duplicates: 0,
    keys: spec,
    async write(rows, lines, count) {
      const pre = (rows as RowBatch).norm;
      const k =
        pre?.kind === 'keys'
          ? pre
          : (own ??= new KeyNormaliser(spec)).batch(rows, lines, count, (rows as RowBatch).notes);
      // The batch's usable rows, a column each (no object per row): rejections are reported in this first pass.
      const line: number[] = [];
      const keyIds: string[] = [];
      const pws: string[] = [];
      const hints: string[] = [];
      const vols: (string | null)[] = [];
      const created: (number | null)[] = [];
      const hintGuids: (string | null)[] = [];
      const hintHosts: (string | null)[] = [];
      const pwProblems: (string | null)[] = [];
      const fingerprints: string[] = [];
      const notes: (RowNote | null)[] = [];
      const replay = problemReplay(k.problems, problems);
      for (const { row, line: at, index, note } of usableRows(rows, lines, count, problems)) {
        // The row's own problems, in the order its normalisation raised them; a rejected row has nothing else.
        replay(index, at);
        if (!k.ok[index]) continue;
        const t = k.created[index]!;
        line.push(at);
        keyIds.push(keyValue(k, index, K.keyId, row, src)!);
        pws.push(keyValue(k, index, K.password, row, src)!);
        hints.push(keyValue(k, index, K.hint, row, src) ?? '');
        vols.push(keyValue(k, index, K.volume, row, src));
        created.push(Number.isNaN(t) ? null : t);
        hintGuids.push(keyValue(k, index, K.hintGuid, row, src));
        hintHosts.push(keyValue(k, index, K.hintHost, row, src));
        pwProblems.push(keyValue(k, index, K.problem, row, src));
        fingerprints.push(keyValue(k, index, K.fingerprint, row, src)!);
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
          const problem = pwProblems[i]!;
          const g = hintGuids[i]!;
          // The device the hint names (keyHostHint's rules), without an object per key.
          params[0] = hint ? (g ? ctx.idx.lookup(g, '') : ctx.idx.lookup(null, hintHosts[i] ?? '')) : null;
          params[1] = keyIds[i]!;
          params[2] = hint || null;
          params[3] = fingerprints[i]!;
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
