// BitLocker recovery passwords and key IDs: validation (never correction), key-ID spellings, lookup by ID or prefix.
import { findKeyRows } from '../store/keys.js';
import type { Workspace } from '../workspace.js';
import { excelMangled, normGuid } from './normalize.js';

/** Why a recovery password is invalid, or null when it is valid. The reason never quotes the digits. */
export function keyProblem(raw: string): string | null {
  // Nearly every key in an export is valid: that is decided in one pass; anything else gets the reason below.
  if (validPassword(raw)) return null;
  const s = raw.trim();
  if (s === '') return 'the recovery password is empty';
  if (excelMangled(s)) return 'the recovery password was turned into a number by a spreadsheet (scientific notation)';
  if (/^\d{48}$/.test(s)) return 'the recovery password has no hyphens (expected 8 groups of 6 digits)';
  if (/^\d{6}( \d{6}){7}$/.test(s)) return 'the recovery password uses spaces instead of hyphens';
  const groups = s.split('-');
  if (groups.length !== 8) return `the recovery password has ${groups.length} groups; expected 8 groups of 6 digits`;
  for (let i = 0; i < 8; i++) {
    const n = sixDigits(groups[i]!);
    if (n < 0) return `group ${i + 1} of the recovery password is not 6 digits`;
    if (n % 11 !== 0) return `group ${i + 1} of the recovery password is not divisible by 11 (checksum)`;
    if (n >= 720896) return `group ${i + 1} of the recovery password is 720896 or more`;
  }
  return null;
}

/** Exactly 8 groups of 6 ASCII digits joined by hyphens, each a multiple of 11 below 720896 (no space around). */
function validPassword(s: string): boolean {
  if (s.length !== 55) return false;
  for (let g = 0; g < 8; g++) {
    const at = g * 7;
    if (g > 0 && s.charCodeAt(at - 1) !== 45) return false;
    let n = 0;
    for (let j = 0; j < 6; j++) {
      const d = s.charCodeAt(at + j) - 48;
      if (d < 0 || d > 9) return false;
      n = n * 10 + d;
    }
    if (n % 11 !== 0 || n >= 720896) return false;
  }
  return true;
}

/** The value of exactly six ASCII digits, or -1: one pass per group instead of a regular expression and a Number. */
function sixDigits(g: string): number {
  if (g.length !== 6) return -1;
  let n = 0;
  for (let j = 0; j < 6; j++) {
    const d = g.charCodeAt(j) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The key ID of a key record, from `{UPPER}`, bare lower case, or an AD object name
 * `2017-10-20T09:38:39-00:00{GUID}`; null when no GUID is in it.
 */
export function normKeyId(raw: string): string | null {
  const direct = normGuid(raw);
  if (direct) return direct;
  const m = /\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}/i.exec(raw);
  return m ? m[1]!.toLowerCase() : null;
}

export interface KeyMatch {
  id: number;
  keyId: string;
  deviceId: number | null;
  hostname: string | null;
  hostHint: string | null;
  valid: boolean;
  problem: string | null;
  volumeType: string | null;
}

/**
 * Finds keys by key ID in any spelling, or by the first characters of the ID (at least 8 hex, as the BitLocker
 * recovery screen and ADUC search use). Returns IDs and devices, never the secret.
 */
export function findKeys(ws: Workspace, idOrPrefix: string): KeyMatch[] {
  const full = normKeyId(idOrPrefix);
  let prefix = '';
  if (!full) {
    prefix = idOrPrefix.trim().replace(/^\{/, '').replace(/\}$/, '').toLowerCase();
    if (!/^[0-9a-f]{8}(-[0-9a-f-]*)?$/.test(prefix)) return [];
  }
  return findKeyRows(ws.db, full, prefix).map((r) => ({
    id: r.id,
    keyId: r.key_id,
    deviceId: r.device_id,
    hostname: r.hostname,
    hostHint: r.host_hint,
    valid: r.valid === 1,
    problem: r.problem,
    volumeType: r.volume_type,
  }));
}
