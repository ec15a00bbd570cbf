// What a results file may claim about time, keys and people: the pack's life (expiry, revocation, grace) and per-record checks at merge.
import { packedKeyRows } from '../store/key-rotation.js';
import { packLifeRow, revokePackRow } from '../store/packs.js';
import { audit, type Workspace } from '../workspace.js';
import type { FieldEvent, ResultRecord } from './format.js';

/**
 * After a pack's expiry, results made with it are still accepted for this long (a technician who opened the pack
 * before it expired finishes the device and comes back from site). The same grace bounds each record's time.
 */
export const PACK_GRACE_MS = 24 * 3_600_000;
/**
 * Laptop clocks drift: a record may be stamped up to this much before the pack was made, or ahead of the
 * merging machine's clock. Anything further out is a wrong clock (or a forged time) and would otherwise win every
 * later conflict for ever (the latest time counts).
 */
export const CLOCK_SKEW_MS = 10 * 60_000;

export interface PackLife {
  packId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  revokedBy: string | null;
  revokedReason: string | null;
}

export function packLife(ws: Workspace, packId: string): PackLife | null {
  const row = packLifeRow(ws.db, packId);
  if (!row) return null;
  return {
    packId,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    revokedReason: row.revoked_reason,
  };
}

const utc = (t: number) => `${new Date(t).toISOString().replace('T', ' ').slice(0, 16)} UTC`;

/** Why results of this pack may no longer be merged at `now` (null when they may). */
export function packClosed(life: PackLife, now: number): { code: 'revoked' | 'expired'; message: string } | null {
  if (life.revokedAt !== null)
    return {
      code: 'revoked',
      message: `pack ${life.packId} was revoked on ${utc(life.revokedAt)} by ${life.revokedBy ?? '?'}${life.revokedReason ? ` (${life.revokedReason})` : ''}: its results are not merged`,
    };
  if (now > life.expiresAt + PACK_GRACE_MS)
    return {
      code: 'expired',
      message: `pack ${life.packId} expired on ${utc(life.expiresAt)}; results are accepted until ${utc(life.expiresAt + PACK_GRACE_MS)} (24 h grace) and it is now ${utc(now)}`,
    };
  return null;
}

/** The times a record or event of this pack may carry, merged at `now` (both ends included). */
export function timeWindow(life: PackLife, now: number): { from: number; to: number } {
  return { from: life.createdAt - CLOCK_SKEW_MS, to: Math.min(life.expiresAt + PACK_GRACE_MS, now + CLOCK_SKEW_MS) };
}

/** Why a record's or event's time is refused, or null. */
export function timeProblem(at: unknown, life: PackLife, now: number): string | null {
  if (typeof at !== 'number' || !Number.isFinite(at)) return 'no valid time';
  const w = timeWindow(life, now);
  if (at < w.from) return `time ${utc(at)} is before the pack was made (${utc(life.createdAt)})`;
  if (at > now + CLOCK_SKEW_MS)
    return `time ${Number.isFinite(new Date(at).getTime()) ? utc(at) : String(at)} is in the future of this merge (${utc(now)}): check the laptop's clock`;
  if (at > w.to) return `time ${utc(at)} is after the pack's life (expired ${utc(life.expiresAt)}, 24 h grace)`;
  return null;
}

/** Key IDs packed for each device of the pack (the rotation list's 'packed' rows are exactly what the pack carried). */
export function packedKeys(ws: Workspace, packId: string): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const r of packedKeyRows(ws.db, packId)) {
    const s = out.get(r.device_id) ?? new Set<string>();
    s.add(r.key_id.toUpperCase());
    out.set(r.device_id, s);
  }
  return out;
}

/** Short, inert rendering of an untrusted value for a refusal message. */
export function shown(v: unknown): string {
  const s = JSON.stringify(typeof v === 'string' ? v : (v ?? null)) ?? 'null';
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Why a record is refused on the grounds this file adds (time, technician, key used), or null. */
export function recordProblem(
  r: ResultRecord,
  fileTechnician: string,
  life: PackLife,
  keys: Map<number, Set<string>>,
  now: number,
): string | null {
  const t = timeProblem(r.at, life, now);
  if (t) return t;
  if (r.technician !== fileTechnician)
    return `record's technician ${shown(r.technician)} is not the file's (${shown(fileTechnician)})`;
  if (r.keyIdUsed !== null && r.keyIdUsed !== undefined) {
    if (typeof r.keyIdUsed !== 'string' || !keys.get(r.deviceId)?.has(r.keyIdUsed.toUpperCase()))
      return `key used ${shown(r.keyIdUsed)} is not one of the keys packed for this device`;
  }
  return null;
}

/** Why a field event is refused, or null. Only key reveals of a packed key of a packed device, within the life. */
export function eventProblem(
  e: FieldEvent,
  deviceIds: Set<number>,
  life: PackLife,
  keys: Map<number, Set<string>>,
  now: number,
): string | null {
  if (e.kind !== 'key.reveal') return `unknown event kind ${shown(e.kind)}`;
  if (!deviceIds.has(e.deviceId)) return 'device is not in this pack';
  if (typeof e.keyId !== 'string' || !keys.get(e.deviceId)?.has(e.keyId.toUpperCase()))
    return `key ${shown(e.keyId)} is not one of the keys packed for this device`;
  return timeProblem(e.at, life, now);
}

/** Revokes a pack (audited): its results files are refused from now on, unless accepted explicitly. */
export async function revokePack(ws: Workspace, packId: string, reason: string): Promise<PackLife> {
  const life = packLife(ws, packId);
  if (!life) throw new Error(`no pack ${shown(packId)} in this workspace`);
  if (life.revokedAt !== null) return life;
  const clean = reason
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .trim()
    .slice(0, 200);
  if (!clean) throw new Error('give a reason for revoking the pack (it goes into the audit log)');
  const now = ws.now();
  await ws.db.txAsync(async () => {
    revokePackRow(ws.db, packId, now, ws.actor, clean);
    await audit(ws, 'pack.revoke', { packId, reason: clean });
  });
  return packLife(ws, packId)!;
}
