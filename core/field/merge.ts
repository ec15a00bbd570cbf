// Merge-back of a technician's signed results file: checks against the pack, conflict rule, field events, recompute.
import { recompute } from '../analysis/recompute.js';
import { sha256HexSync } from '../shared/hash.js';
import { hostKey } from '../shared/hostname.js';
import { addToRotation, packedKeySpelling } from '../store/key-rotation.js';
import { packMacKey } from '../store/packs.js';
import { deviceResults, insertResult, recordResultFile, resultFileMerged, resultRecorded } from '../store/results.js';
import { audit, type Workspace } from '../workspace.js';
import {
  decryptPack,
  FIELD_RESULTS,
  PackError,
  parseResults,
  recordHash,
  signResults,
  unb64,
  verifyResults,
  type FieldResult,
  type ResultRecord,
} from './format.js';
import { eventProblem, packClosed, packedKeys, packLife, recordProblem } from './pack-life.js';

export interface MergeReport {
  packId: string;
  technician: string;
  fileSha256: string;
  records: number;
  added: number;
  duplicates: number;
  /** Records for devices outside the pack, or with an unknown result: not imported, with the reason. */
  rejected: Array<{ index: number; hostname: string; reason: string }>;
  /** Devices that now have results from more than one technician, with the record that counts. */
  conflicts: Array<{
    deviceId: number;
    hostname: string;
    winner: { result: string; at: number; technician: string };
    records: number;
  }>;
  reveals: number;
  /** Field events (key reveals) not recorded, with the reason: a key the pack did not carry, a time outside its life. */
  rejectedEvents: Array<{ index: number; reason: string }>;
  /** Set when the pack was expired or revoked and the caller accepted its results explicitly (audited). */
  acceptedClosed: 'expired' | 'revoked' | null;
  alreadyMerged: boolean;
}

export interface MergeOptions {
  /** Merge results of an expired or revoked pack anyway; the acceptance is audited. */
  acceptClosed?: boolean;
}

/**
 * Conflict rule (documented for the incident lead): every record is kept in `results`; the one that counts for a
 * device is the latest `at`; equal times are broken by the larger record hash. Results rows get
 * id = the first 52 bits of the record hash, so "ORDER BY at DESC, id DESC" (what the analysis reads) is exactly
 * this rule, and the merged state is the same whatever order files are imported in.
 */
export function resultRowId(hash: string): number {
  return parseInt(hash.slice(0, 13), 16);
}

async function macKeyOf(ws: Workspace, packId: string): Promise<{ macKey: Uint8Array; deviceIds: Set<number> }> {
  const row = packMacKey(ws.db, packId);
  if (!row)
    throw new PackError(
      'unknown_pack',
      `These results are for pack ${packId}, which this workspace did not create: import them into the workspace that made the pack.`,
    );
  return { macKey: unb64(await ws.box.open(row.mac_key)), deviceIds: new Set(JSON.parse(row.device_ids) as number[]) };
}

export async function mergeResults(
  ws: Workspace,
  bytes: Uint8Array,
  fileName = 'results',
  opts: MergeOptions = {},
): Promise<MergeReport> {
  const fileSha = sha256HexSync(bytes);
  let packId: string;
  try {
    packId = parseResults(bytes).body.packId;
  } catch (err) {
    throw new Error(`${fileName}: ${(err as Error).message}`);
  }
  const { macKey, deviceIds } = await macKeyOf(ws, packId);
  let body;
  try {
    body = await verifyResults(bytes, macKey);
  } catch (err) {
    await audit(ws, 'results.rejected', { file: fileName, sha256: fileSha, packId, reason: (err as Error).message });
    throw new Error(`${fileName}: ${(err as Error).message}`);
  }
  const now = ws.now();
  const life = packLife(ws, packId)!;
  const closed = packClosed(life, now);
  const refuse = async (reason: string): Promise<never> => {
    await audit(ws, 'results.rejected', { file: fileName, sha256: fileSha, packId, reason });
    throw new Error(`${fileName}: ${reason}. Nothing was imported.`);
  };
  if (typeof body.technician !== 'string' || body.technician.trim() === '')
    await refuse('the results file names no technician');
  if (closed && !opts.acceptClosed)
    await refuse(`${closed.message}; to merge them anyway, accept them explicitly (audited)`);
  const keys = packedKeys(ws, packId);
  const report: MergeReport = {
    packId,
    technician: body.technician,
    fileSha256: fileSha,
    records: body.records.length,
    added: 0,
    duplicates: 0,
    rejected: [],
    conflicts: [],
    reveals: 0,
    rejectedEvents: [],
    acceptedClosed: closed?.code ?? null,
    alreadyMerged: resultFileMerged(ws.db, fileSha),
  };
  const touched = new Set<number>();
  await ws.db.txAsync(async () => {
    body.records.forEach((r: ResultRecord, index: number) => {
      if (!deviceIds.has(r.deviceId)) {
        report.rejected.push({ index, hostname: String(r.hostname), reason: 'device is not in this pack' });
        return;
      }
      if (!(FIELD_RESULTS as readonly string[]).includes(r.result) && r.result !== ('in_progress' as FieldResult)) {
        report.rejected.push({
          index,
          hostname: String(r.hostname),
          reason: `unknown result ${JSON.stringify(r.result)}`,
        });
        return;
      }
      const problem = recordProblem(r, body.technician, life, keys, now);
      if (problem) {
        report.rejected.push({ index, hostname: String(r.hostname), reason: problem });
        return;
      }
      const hash = recordHash(packId, r);
      if (resultRecorded(ws.db, hash)) {
        report.duplicates++;
        return;
      }
      insertResult(ws.db, {
        id: resultRowId(hash),
        deviceId: r.deviceId,
        result: r.result,
        method: r.method,
        at: r.at,
        technician: r.technician,
        keyIdUsed: r.keyIdUsed,
        notes: r.notes,
        origin: packId,
        recordHash: hash,
      });
      report.added++;
      touched.add(r.deviceId);
    });
    const events = Array.isArray(body.events) ? body.events : [];
    const accepted: typeof events = [];
    for (const [index, e] of events.entries()) {
      const problem = eventProblem(e, deviceIds, life, keys, now);
      if (problem) {
        report.rejectedEvents.push({ index, reason: problem });
        continue;
      }
      accepted.push(e);
      addToRotation(ws.db, {
        // The packed key's own spelling, so the rotation list never holds a variant of an ID.
        keyId: packedKeySpelling(ws.db, packId, e.deviceId, e.keyId) ?? e.keyId,
        deviceId: e.deviceId,
        reason: 'revealed_in_field',
        ref: packId,
        at: e.at,
        actor: body.technician,
      });
      report.reveals++;
    }
    for (const deviceId of touched) {
      const rows = deviceResults(ws.db, deviceId);
      if (new Set(rows.map((x) => x.technician ?? '')).size > 1) {
        const w = rows[0]!;
        report.conflicts.push({
          deviceId,
          hostname: w.hostname,
          winner: { result: w.result, at: w.at, technician: w.technician ?? '' },
          records: rows.length,
        });
      }
    }
    recordResultFile(ws.db, {
      sha256: fileSha,
      packId,
      technician: body.technician,
      records: report.records,
      added: report.added,
      duplicates: report.duplicates,
      at: ws.now(),
    });
    if (closed)
      await audit(ws, 'results.accept_closed', {
        file: fileName,
        sha256: fileSha,
        packId,
        status: closed.code,
        reason: closed.message,
      });
    await audit(ws, 'results.merge', {
      file: fileName,
      sha256: fileSha,
      packId,
      technician: body.technician,
      records: report.records,
      added: report.added,
      duplicates: report.duplicates,
      rejected: report.rejected.length,
      rejectedEvents: report.rejectedEvents.length,
      conflicts: report.conflicts.map((c) => c.deviceId),
      keyReveals: accepted.map((e) => ({ deviceId: e.deviceId, keyId: e.keyId, at: e.at })),
    });
  });
  if (touched.size > 0) recompute(ws, { deviceIds: [...touched] });
  return report;
}

/** For the CLI and tests: open a pack and write a signed results file (what the technician's laptop does). */
export async function resultsFromPack(
  packBytes: Uint8Array,
  passphrase: string,
  now: number,
  technician: string,
  set: Array<{ host: string; result: FieldResult; method?: string; keyIdUsed?: string; notes?: string; at?: number }>,
): Promise<Uint8Array> {
  const payload = await decryptPack(packBytes, passphrase, now);
  const records: ResultRecord[] = set.map((s) => {
    const d = payload.devices.find((x) => hostKey(x.hostname) === hostKey(s.host));
    if (!d) throw new Error(`${s.host} is not in this pack (it has ${payload.devices.length} devices)`);
    if (!(FIELD_RESULTS as readonly string[]).includes(s.result))
      throw new Error(`${s.host}: result must be one of ${FIELD_RESULTS.join(', ')}, not ${JSON.stringify(s.result)}`);
    return {
      deviceId: d.id,
      hostname: d.hostname,
      result: s.result,
      method: s.method ?? 'manual',
      at: s.at ?? now,
      technician,
      keyIdUsed: s.keyIdUsed ?? null,
      notes: s.notes ?? null,
    };
  });
  return signResults(
    {
      format: 'ringside-results',
      version: 1,
      packId: payload.packId,
      technician,
      exportedAt: now,
      records,
      events: [],
      ...(payload.audit ? { audit: payload.audit } : {}),
    },
    unb64(payload.macKey),
  );
}
