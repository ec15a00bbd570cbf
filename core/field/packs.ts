// Field packs in the incident workspace: which devices and keys a pack carries, and creating one (audited, keys onto the rotation list).
import { REMAINING_STATES } from '../contract/analysis.js';
import { generateScripts } from '../remediation/generate.js';
import { currentAnchor } from '../store/audit.js';
import { KeyVault } from '../secrets/key-vault.js';
import { addToRotation } from '../store/key-rotation.js';
import type { SealedKeyRef } from '../store/keys.js';
import { anyDeviceAnalysed, deviceKeyRows, insertPack, packDevicesById, packDevicesBySite } from '../store/packs.js';
import { audit, workspaceId, type Workspace } from '../workspace.js';
import {
  b64,
  encryptPack,
  validatePassphrase,
  PACK_EXTENSION,
  PackError,
  MIN_ITERATIONS,
  type AuditHead,
  type PackDevice,
  type PackPayload,
} from './format.js';
import { sha256HexSync } from '../shared/hash.js';
import {
  fallbackScripts,
  modelNotes,
  procedures,
  runSheet,
  stepsFor,
  STEPS_SOURCE,
  type KeyStatus,
  type NoKeyReason,
  type ProcedureId,
} from './steps.js';

/** What to do with a device that has no valid recovery key: leave it out of the pack, or carry it with another path. */
export type NoKeyChoice = 'exclude' | 'safe-mode' | 'reimage';
export const NO_KEY_CHOICES: readonly NoKeyChoice[] = ['exclude', 'safe-mode', 'reimage'];
import { passphraseStrength, weakPassphraseMessage } from '../secrets/passphrase.js';

export interface CreatePackOptions {
  site?: string;
  deviceIds?: number[];
  passphrase: string;
  /** Epoch ms or an ISO date; a date without a time means the end of that day, UTC. */
  expiresAt: number | string;
  technician?: string;
  /**
   * Devices without a valid key: the choice for all of them (default 'safe-mode', carried with the Safe Mode path),
   * and per device id where it differs.
   */
  withoutKey?: { all?: NoKeyChoice; devices?: Record<number, NoKeyChoice> };
  /** Only for tests of the format itself; never below MIN_ITERATIONS. */
  iterations?: number;
}

export interface NoKeyDevice {
  id: number;
  hostname: string;
  reason: NoKeyReason;
  detail: string;
}

export interface PackPreview {
  site: string | null;
  devices: number;
  /** Devices with at least one valid recovery key. */
  withKey: number;
  /** Valid keys the pack would carry. */
  keys: number;
  noKey: NoKeyDevice[];
}

export interface CreatedPack {
  packId: string;
  fileName: string;
  bytes: Uint8Array;
  devices: number;
  keys: number;
  expires: number;
  noKey: Array<NoKeyDevice & { choice: NoKeyChoice }>;
}

export function parseExpiry(v: number | string, now: number): number {
  let t: number;
  if (typeof v === 'number') t = v;
  else if (/^\d{4}-\d{2}-\d{2}$/.test(v.trim())) t = Date.parse(`${v.trim()}T23:59:59.999Z`);
  else t = Date.parse(v);
  if (!Number.isFinite(t)) throw new Error(`expiry ${JSON.stringify(v)} is not a date (use YYYY-MM-DD or an ISO time)`);
  if (t <= now) throw new Error(`expiry ${new Date(t).toISOString()} is already in the past`);
  if (t - now > 31 * 86_400_000) throw new Error('a field pack may live at most 31 days: choose an earlier expiry');
  return t;
}

/** The device columns a pack carries, as read from the workspace (steps, notes and keys are added after). */
type DeviceRow = Omit<PackDevice, 'steps' | 'modelNotes' | 'keys'> & { platform: string | null };

function selectDevices(ws: Workspace, opts: CreatePackOptions): DeviceRow[] {
  if (opts.deviceIds && opts.deviceIds.length > 0) {
    const ids = [...new Set(opts.deviceIds.map(Number))];
    const rows = packDevicesById<DeviceRow>(ws.db, ids);
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length) throw new Error(`no device with id ${missing.join(', ')}`);
    return rows;
  }
  if (!opts.site) throw new Error('choose a site or a set of devices for the pack');
  // A site pack carries the machines that still need hands-on work (or all of them before analysis has run).
  const states = packStates(ws);
  const rows = packDevicesBySite<DeviceRow>(ws.db, opts.site, states);
  if (rows.length === 0) throw new Error(`site ${opts.site} has no device that still needs a hands-on fix`);
  return rows;
}

/**
 * The remediation engine's WinRE script and per-device run sheets for the pack's devices (without recovery
 * passwords: the technician reveals a key on the device's card, audited). Falls back to the local steps table
 * when the engine refuses (for example a device set with no Windows machine).
 */
async function packScripts(
  ws: Workspace,
  devices: PackDevice[],
  site: string | null,
  now: number,
  expires: number,
): Promise<Pick<PackPayload, 'scripts' | 'runSheet' | 'stepsSource'>> {
  const deviceIds = devices.map((d) => d.id);
  try {
    const scripts: Record<string, string> = {};
    const cmd = await generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'winre-cmd',
      target: { deviceIds },
      withKeys: false,
    });
    for (const f of cmd.files) scripts[f.path] = f.content;
    // The Safe Mode route too: the Method field can switch any device to it on site.
    const safe = await generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'safe-mode-cmd',
      target: { deviceIds },
      withKeys: false,
    });
    for (const f of safe.files) scripts[f.path] = f.content;
    const sheet = await generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'runsheet',
      target: { deviceIds },
      withKeys: false,
    });
    if (cmd.files.length === 0 || sheet.files.length === 0) throw new Error('no files generated');
    return {
      scripts,
      runSheet: `${runSheet(site, devices, now, expires)}\n${sheet.files.map((f) => f.content).join('\n\f\n')}`,
      stepsSource: `remediation playbook cs-channel-291 (routes winre-cmd and runsheet, generation ${cmd.generationId})`,
    };
  } catch (err) {
    return {
      scripts: fallbackScripts(),
      runSheet: runSheet(site, devices, now, expires),
      stepsSource: `${STEPS_SOURCE} (${(err as Error).message})`,
    };
  }
}

type KeyRow = {
  key_id: string;
  valid: number;
  problem: string | null;
  volume_type: string | null;
  fingerprint: string;
};

/**
 * Whether a device has a recovery key a technician can use: a valid one (checksum), for the OS volume, and the
 * only password under its key ID. The detail never quotes digits.
 */
export function keyStatusOf(keys: KeyRow[]): KeyStatus {
  if (keys.length === 0)
    return { valid: false, reason: 'none-imported', detail: 'no recovery key was imported for it' };
  const valid = keys.filter((k) => k.valid === 1);
  if (valid.length === 0)
    return {
      valid: false,
      reason: 'invalid-checksum',
      detail: `${keys.length} key(s), none valid: ${keys[0]!.problem ?? 'invalid recovery password'}`,
    };
  const prints = new Map<string, Set<string>>();
  for (const k of valid) prints.set(k.key_id, (prints.get(k.key_id) ?? new Set()).add(k.fingerprint));
  const single = valid.filter((k) => prints.get(k.key_id)!.size === 1);
  if (single.length === 0)
    return {
      valid: false,
      reason: 'key-id-mismatch',
      detail: `key ID ${valid[0]!.key_id.toUpperCase()} has ${prints.get(valid[0]!.key_id)!.size} different passwords`,
    };
  const os = single.filter((k) => !k.volume_type || /operating|\bos\b|system/i.test(k.volume_type));
  if (os.length === 0)
    return {
      valid: false,
      reason: 'key-id-mismatch',
      detail: `its key IDs are for other volumes (${[...new Set(single.map((k) => k.volume_type))].join(', ')}), not the OS volume`,
    };
  return { valid: true };
}

function deviceKeys(ws: Workspace, deviceId: number): Array<KeyRow & SealedKeyRef> {
  return deviceKeyRows(ws.db, deviceId);
}

/** What a pack for this site or selection would carry, and which devices have no valid key (with why), before it is made. */
export function packPreview(ws: Workspace, opts: Pick<CreatePackOptions, 'site' | 'deviceIds'>): PackPreview {
  const devices = selectDevices(ws, { ...opts, passphrase: '', expiresAt: 0 });
  const noKey: NoKeyDevice[] = [];
  let keys = 0;
  for (const d of devices) {
    if (d.platform && d.platform !== 'windows') continue;
    const rows = deviceKeys(ws, d.id);
    const st = keyStatusOf(rows);
    if (st.valid) keys += rows.filter((k) => k.valid === 1).length;
    else noKey.push({ id: d.id, hostname: d.hostname, reason: st.reason!, detail: st.detail! });
  }
  const site = opts.site ?? (new Set(devices.map((d) => d.site)).size === 1 ? (devices[0]!.site ?? null) : null);
  return { site, devices: devices.length, withKey: devices.length - noKey.length, keys, noKey };
}

/** Remaining states once analysis has run; before that every device is 'unknown' and a site pack takes them all. */
export function packStates(ws: Workspace): string[] {
  return anyDeviceAnalysed(ws.db) ? [...REMAINING_STATES] : ['unknown'];
}

function headOf(a: { count: number; head: string; mac: string }): AuditHead {
  return { count: a.count, head: a.head, mac: a.mac };
}

export async function createPack(ws: Workspace, opts: CreatePackOptions): Promise<CreatedPack> {
  // Before any key is opened: a short or guessable passphrase is refused with nothing read or written. A pack is
  // carried around on USB sticks and can be attacked offline, so the estimator decides, not only the length.
  validatePassphrase(opts.passphrase);
  const strength = passphraseStrength(opts.passphrase, ['ringside', ...(opts.site ? [opts.site] : [])]);
  if (!strength.ok) throw new PackError('passphrase', weakPassphraseMessage('the pack passphrase', strength));
  const now = ws.now();
  const expires = parseExpiry(opts.expiresAt, now);
  const selected = selectDevices(ws, opts);
  const packId = crypto.randomUUID();
  const macKey = crypto.getRandomValues(new Uint8Array(32));
  const packDevices: PackDevice[] = [];
  const keyRows: Array<{ keyId: string; deviceId: number; hostname: string }> = [];
  const noKey: CreatedPack['noKey'] = [];
  const devices: DeviceRow[] = [];
  // Opens only the selected devices' keys: a chunk shared with other sites is decrypted in here, never packed.
  const vault = new KeyVault(ws.db, ws.box);
  for (const d of selected) {
    const keys = deviceKeys(ws, d.id);
    const windows = !d.platform || d.platform === 'windows';
    const status = keyStatusOf(keys);
    let route: ProcedureId = 'winre-key';
    if (windows && !status.valid) {
      const choice = opts.withoutKey?.devices?.[d.id] ?? opts.withoutKey?.all ?? 'safe-mode';
      if (!NO_KEY_CHOICES.includes(choice)) throw new Error(`device ${d.hostname}: unknown choice ${String(choice)}`);
      noKey.push({ id: d.id, hostname: d.hostname, reason: status.reason!, detail: status.detail!, choice });
      if (choice === 'exclude') continue;
      route = choice;
    }
    devices.push(d);
    const packKeys = [];
    for (const k of keys) {
      packKeys.push({ keyId: k.key_id, recoveryPassword: await vault.reveal(k), valid: k.valid === 1 });
      keyRows.push({ keyId: k.key_id, deviceId: d.id, hostname: d.hostname });
    }
    const validIds = keys.filter((k) => k.valid === 1).map((k) => k.key_id);
    packDevices.push({
      id: d.id,
      hostname: d.hostname,
      serial: d.serial,
      model: d.model,
      site: d.site,
      ring: d.ring,
      state: d.state,
      user: d.user,
      tags: d.tags,
      steps: stepsFor(d, route, validIds),
      ...(windows ? { procedures: procedures(validIds), route, keyStatus: status } : {}),
      modelNotes: modelNotes(d.model),
      keys: packKeys,
    });
  }
  if (devices.length === 0)
    throw new Error('every device was left out (none has a valid recovery key): nothing to put in the pack');
  const site = opts.site ?? (new Set(devices.map((d) => d.site)).size === 1 ? (devices[0]!.site ?? null) : null);
  const payload: PackPayload = {
    packId,
    workspaceId: workspaceId(ws),
    site,
    created: now,
    expires,
    technician: opts.technician ?? null,
    macKey: b64(macKey),
    devices: packDevices,
    ...(await packScripts(ws, packDevices, site, now, expires)),
    audit: headOf(currentAnchor(ws.db)),
  };
  const bytes = await encryptPack(payload, opts.passphrase, Math.max(MIN_ITERATIONS, opts.iterations ?? 0));
  const keyIds = keyRows.map((k) => k.keyId);
  await ws.db.txAsync(async () => {
    insertPack(ws.db, {
      id: packId,
      site,
      deviceIds: devices.map((d) => d.id),
      keyIds,
      createdAt: now,
      expiresAt: expires,
      technician: opts.technician ?? null,
      createdBy: ws.actor,
      sealedMacKey: await ws.box.seal(b64(macKey)),
      fileSha256: sha256HexSync(bytes),
    });
    for (const k of keyRows)
      addToRotation(ws.db, {
        keyId: k.keyId,
        deviceId: k.deviceId,
        hostname: k.hostname,
        reason: 'packed',
        ref: packId,
        at: now,
        actor: ws.actor,
      });
    await audit(ws, 'pack.create', {
      packId,
      site,
      devices: devices.length,
      keyIds,
      expires: new Date(expires).toISOString(),
      technician: opts.technician ?? null,
      withoutKey: noKey.map((n) => ({ deviceId: n.id, reason: n.reason, choice: n.choice })),
    });
  });
  const stamp = new Date(now).toISOString().slice(0, 10);
  return {
    packId,
    fileName: `ringside-${(site ?? 'devices').replace(/[^A-Za-z0-9-]/g, '_')}-${stamp}${PACK_EXTENSION}`,
    bytes,
    devices: devices.length,
    keys: keyIds.length,
    expires,
    noKey,
  };
}
