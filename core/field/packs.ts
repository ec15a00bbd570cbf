// Field packs in the incident workspace: create (audited, keys onto the rotation list), merge results back, rotation list.
import { REMAINING_STATES } from '../contract/analysis.js';
import { recompute } from '../analysis/recompute.js';
import { generateScripts } from '../remediation/generate.js';
import { csvCell } from '../shared/csv.js';
import { hostKey } from '../shared/hostname.js';
import { currentAnchor } from '../store/audit.js';
import { audit, workspaceId, type Workspace } from '../workspace.js';
import {
  b64,
  decryptPack,
  encryptPack,
  validatePassphrase,
  FIELD_RESULTS,
  PACK_EXTENSION,
  PackError,
  parseResults,
  recordHash,
  signResults,
  unb64,
  verifyResults,
  MIN_ITERATIONS,
  type FieldResult,
  type AuditHead,
  type PackDevice,
  type PackPayload,
  type ResultRecord,
} from './format.js';
import { sha256HexSync } from '../shared/hash.js';
import { eventProblem, packClosed, packedKeys, packLife, recordProblem } from './pack-life.js';
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
  const cols = `id, hostname, serial, model, site, COALESCE(ring_override, ring) AS ring, state, user, tags, platform`;
  if (opts.deviceIds && opts.deviceIds.length > 0) {
    const ids = [...new Set(opts.deviceIds.map(Number))];
    const rows = ws.db.all<DeviceRow>(
      `SELECT ${cols} FROM devices WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY hostname`,
      ids,
    );
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length) throw new Error(`no device with id ${missing.join(', ')}`);
    return rows;
  }
  if (!opts.site) throw new Error('choose a site or a set of devices for the pack');
  // A site pack carries the machines that still need hands-on work (or all of them before analysis has run).
  const states = packStates(ws);
  const rows = ws.db.all<DeviceRow>(
    `SELECT ${cols} FROM devices WHERE site = ? AND superseded_by IS NULL
       AND state IN (${states.map(() => '?').join(',')}) ORDER BY hostname`,
    [opts.site, ...states],
  );
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

function deviceKeys(ws: Workspace, deviceId: number): Array<KeyRow & { secret: Uint8Array }> {
  return ws.db.all<KeyRow & { secret: Uint8Array }>(
    'SELECT key_id, secret, valid, problem, volume_type, fingerprint FROM keys WHERE device_id = ? ORDER BY valid DESC, key_id',
    [deviceId],
  );
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
  const analysed = ws.db.value("SELECT 1 FROM devices WHERE state <> 'unknown' LIMIT 1") === 1;
  return analysed ? [...REMAINING_STATES] : ['unknown'];
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
      packKeys.push({ keyId: k.key_id, recoveryPassword: await ws.box.open(k.secret), valid: k.valid === 1 });
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
    ws.db.run(
      `INSERT INTO packs(id, site, device_ids, key_ids, created_at, expires_at, technician, created_by, mac_key, file_sha256)
       VALUES (?,?,?,?,?,?,?,?,?,?)`,
      [
        packId,
        site,
        JSON.stringify(devices.map((d) => d.id)),
        JSON.stringify(keyIds),
        now,
        expires,
        opts.technician ?? null,
        ws.actor,
        await ws.box.seal(b64(macKey)),
        sha256HexSync(bytes),
      ],
    );
    for (const k of keyRows)
      ws.db.run(
        `INSERT INTO key_rotation(key_id, device_id, hostname, reason, ref, at, actor) VALUES (?,?,?,?,?,?,?)
         ON CONFLICT DO NOTHING`,
        [k.keyId, k.deviceId, k.hostname, 'packed', packId, now, ws.actor],
      );
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

export interface PackSummary {
  id: string;
  site: string | null;
  devices: number;
  keys: number;
  createdAt: number;
  expiresAt: number;
  technician: string | null;
  createdBy: string;
  resultFiles: number;
  results: number;
}

export function listPacks(ws: Workspace): PackSummary[] {
  return ws.db
    .all<{
      id: string;
      site: string | null;
      device_ids: string;
      key_ids: string;
      created_at: number;
      expires_at: number;
      technician: string | null;
      created_by: string;
      files: number;
      results: number;
    }>(
      `SELECT p.*, (SELECT count(*) FROM result_files f WHERE f.pack_id = p.id) AS files,
         (SELECT count(*) FROM results r WHERE r.origin = p.id) AS results
       FROM packs p ORDER BY created_at DESC`,
    )
    .map((p) => ({
      id: p.id,
      site: p.site,
      devices: (JSON.parse(p.device_ids) as number[]).length,
      keys: (JSON.parse(p.key_ids) as string[]).length,
      createdAt: p.created_at,
      expiresAt: p.expires_at,
      technician: p.technician,
      createdBy: p.created_by,
      resultFiles: p.files,
      results: p.results,
    }));
}

// ---------------------------------------------------------------------------------------------------------------
// Merge-back

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
  const row = ws.db.get<{ mac_key: Uint8Array; device_ids: string }>(
    'SELECT mac_key, device_ids FROM packs WHERE id = ?',
    [packId],
  );
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
    alreadyMerged: ws.db.value('SELECT 1 FROM result_files WHERE sha256 = ?', [fileSha]) === 1,
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
      const before = ws.db.value<number>('SELECT count(*) FROM results WHERE record_hash = ?', [hash]) ?? 0;
      if (before > 0) {
        report.duplicates++;
        return;
      }
      ws.db.run(
        `INSERT INTO results(id, device_id, result, method, at, technician, key_id_used, notes, origin, record_hash)
         VALUES (?,?,?,?,?,?,?,?,?,?)`,
        [resultRowId(hash), r.deviceId, r.result, r.method, r.at, r.technician, r.keyIdUsed, r.notes, packId, hash],
      );
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
      const host = ws.db.value<string>('SELECT hostname FROM devices WHERE id = ?', [e.deviceId]) ?? null;
      ws.db.run(
        `INSERT INTO key_rotation(key_id, device_id, hostname, reason, ref, at, actor) VALUES (?,?,?,?,?,?,?)
         ON CONFLICT DO NOTHING`,
        // The packed key's own spelling, so the rotation list never holds a variant of an ID.
        [
          ws.db.value<string>(
            "SELECT key_id FROM key_rotation WHERE reason = 'packed' AND ref = ? AND device_id = ? AND upper(key_id) = ?",
            [packId, e.deviceId, e.keyId.toUpperCase()],
          ) ?? e.keyId,
          e.deviceId,
          host,
          'revealed_in_field',
          packId,
          e.at,
          body.technician,
        ],
      );
      report.reveals++;
    }
    for (const deviceId of touched) {
      const rows = ws.db.all<{ result: string; at: number; technician: string | null; hostname: string }>(
        `SELECT r.result, r.at, r.technician, d.hostname FROM results r JOIN devices d ON d.id = r.device_id
         WHERE r.device_id = ? ORDER BY r.at DESC, r.id DESC`,
        [deviceId],
      );
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
    ws.db.run(
      `INSERT INTO result_files(sha256, pack_id, technician, records, added, duplicates, merged_at) VALUES (?,?,?,?,?,?,?)
       ON CONFLICT(sha256) DO NOTHING`,
      [fileSha, packId, body.technician, report.records, report.added, report.duplicates, ws.now()],
    );
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

// ---------------------------------------------------------------------------------------------------------------
// Key rotation list

export interface RotationRow {
  keyId: string;
  deviceId: number | null;
  hostname: string | null;
  reasons: string;
  firstAt: number;
  refs: string;
}

export function rotationList(ws: Workspace): RotationRow[] {
  return ws.db.all<RotationRow>(
    `SELECT key_id AS keyId, MIN(device_id) AS deviceId, MIN(hostname) AS hostname,
       group_concat(DISTINCT reason) AS reasons, MIN(at) AS firstAt, group_concat(DISTINCT ref) AS refs
     FROM key_rotation GROUP BY key_id ORDER BY firstAt, key_id`,
  );
}

export function rotationCsv(ws: Workspace): string {
  const lines = ['key_id,device_id,hostname,reasons,first_exposed_utc,refs'];
  for (const r of rotationList(ws))
    lines.push(
      [r.keyId, r.deviceId ?? '', r.hostname ?? '', r.reasons, new Date(r.firstAt).toISOString(), r.refs]
        .map(csvCell)
        .join(','),
    );
  return `${lines.join('\r\n')}\r\n`;
}
