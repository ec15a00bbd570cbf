// Turns a playbook route and a target into a bundle: validated devices and keys, one renderer per shell, a manifest, refusals.
import { REMAINING_STATES } from '../contract/analysis.js';
import { sha256Hex } from '../secrets/box.js';
import { KeyVault } from '../secrets/key-vault.js';
import * as deviceTable from '../store/devices.js';
import * as remediationTable from '../store/remediation.js';
import { hostKey } from '../shared/hostname.js';
import { audit, workspaceId, type Workspace } from '../workspace.js';
import { isBuiltin, notBuiltinBanner } from './builtin.js';
import { findPlaybook } from './library.js';
import { batchToken } from './quote.js';
import { renderBash } from './render/bash.js';
import { renderCmd } from './render/cmd.js';
import type { RenderContext, RenderDevice, RenderKey } from './render/common.js';
import { renderPowerShell } from './render/powershell.js';
import { renderRunSheet } from './render/runsheet.js';
import { usedParams, type Playbook, type Route } from './schema.js';
import { guid, hostname as checkHostname, recoveryPassword, validate } from './validate.js';

export interface Target {
  site?: string;
  ring?: string;
  deviceIds?: number[];
  hostnames?: string[];
  /** Device states; 'remaining' stands for affected and not fixed. Defaults to the playbook's states. */
  states?: string[];
}

export interface GenerateOptions {
  playbookId: string;
  playbookVersion?: number;
  route?: string;
  target: Target;
  withKeys: boolean;
  /** One file per device even for batch routes. */
  perDevice?: boolean;
  params?: Record<string, string>;
}

export interface Refusal {
  /** Hostname as the workspace holds it (or '*' for a playbook parameter). */
  device: string;
  deviceId: number | null;
  field: string;
  code: string;
  reason: string;
}

export interface BundleFile {
  path: string;
  content: string;
  sha256: string;
}

export interface BundleManifest {
  format: 'ringside-bundle';
  formatVersion: 1;
  what: {
    playbookId: string;
    playbookName: string;
    playbookVersion: number;
    /** False for a playbook loaded from a file: every file then opens with the "not a built-in playbook" banner. */
    builtin: boolean;
    route: string;
    routeName: string;
    shell: string;
  };
  workspaceId: string;
  generatedAt: string;
  generatedBy: string;
  generationId: number;
  target: Target;
  params: Record<string, string>;
  withKeys: boolean;
  devices: Array<{
    id: number;
    hostname: string;
    site: string | null;
    ring: string | null;
    state: string;
    keyIds: string[];
  }>;
  refused: Refusal[];
  keyIdsToRotate: string[];
  warnings: string[];
  files: Array<{ path: string; sha256: string; bytes: number }>;
}

export interface Bundle {
  generationId: number;
  files: BundleFile[];
  manifest: BundleManifest;
  refused: Refusal[];
  keyIdsToRotate: string[];
}

interface DeviceRow {
  id: number;
  hostname: string;
  site: string | null;
  ring: string | null;
  state: string;
}

const EXT: Record<string, string> = { cmd: 'cmd', powershell: 'ps1', bash: 'sh', runsheet: 'txt' };

/** Devices matching the target (current records only, the playbook's platforms). */
export function selectDevices(ws: Workspace, playbook: Playbook, target: Target): DeviceRow[] {
  const explicit = Boolean(target.deviceIds?.length || target.hostnames?.length);
  const rawStates = target.states ?? (explicit ? [] : playbook.defaultStates);
  const states = rawStates.flatMap((s) => (s === 'remaining' ? [...REMAINING_STATES] : [s]));
  return deviceTable.forTarget(ws.db, {
    platforms: playbook.appliesTo.platforms,
    site: target.site,
    ring: target.ring,
    deviceIds: target.deviceIds,
    hostKeys: target.hostnames?.map(hostKey),
    states,
  });
}

function targetText(t: Target, states: string[]): string {
  const parts: string[] = [];
  if (t.site) parts.push(`site ${t.site}`);
  if (t.ring) parts.push(`ring ${t.ring}`);
  if (t.hostnames?.length) parts.push(`hosts ${t.hostnames.join(' ')}`);
  if (t.deviceIds?.length) parts.push(`${t.deviceIds.length} selected device(s)`);
  if (states.length) parts.push(`states ${states.join(' ')}`);
  return parts.join(', ') || 'all devices';
}

function renderFor(route: Route, ctx: RenderContext): string {
  switch (route.shell) {
    case 'cmd':
      return renderCmd(ctx);
    case 'powershell':
      return renderPowerShell(ctx);
    case 'bash':
      return renderBash(ctx);
    case 'runsheet':
      return renderRunSheet(ctx);
  }
}

/** Names of the parameters a route refers to: only those are validated and written into its header. */
/** Redacts included recovery passwords so the generation history can be kept and compared without secrets. */
export function redact(content: string, keys: RenderKey[]): string {
  const byPassword = new Map(keys.filter((k) => k.password).map((k) => [k.password!, k.keyId]));
  if (byPassword.size === 0) return content;
  // One pass over the text whatever the number of keys (a site can have thousands).
  return content.replace(/\d{6}(?:-\d{6}){7}/g, (pw) => {
    const id = byPassword.get(pw);
    return id ? `[recovery password for {${id}} redacted]` : pw;
  });
}

export async function generateScripts(ws: Workspace, opts: GenerateOptions): Promise<Bundle> {
  const playbook = findPlaybook(ws, opts.playbookId, opts.playbookVersion);
  const route = opts.route ? playbook.routes.find((r) => r.id === opts.route) : playbook.routes[0];
  if (!route)
    throw new Error(
      `playbook ${playbook.id} has no route '${opts.route}' (routes: ${playbook.routes.map((r) => r.id).join(', ')})`,
    );
  // Only a cmd route has the batch-token rule; every other shell quotes any value its grammar passes.
  const cmdRoute = route.shell === 'cmd';
  const refused: Refusal[] = [];
  const warnings: string[] = [];

  // Parameters: defaults from the playbook, each value through its grammar (and the batch rule for cmd routes).
  const params: Record<string, string> = {};
  let paramsOk = true;
  const used = usedParams(route);
  for (const p of playbook.params.filter((x) => used.has(x.name))) {
    const raw = opts.params?.[p.name] ?? p.default;
    if (raw === undefined) {
      refused.push({
        device: '*',
        deviceId: null,
        field: p.name,
        code: 'required',
        reason: `${p.label}: required (this route uses it and it has no default)`,
      });
      paramsOk = false;
      continue;
    }
    const v = validate(p.type, raw);
    const b = v.ok && cmdRoute ? batchToken(v.value) : undefined;
    if (!v.ok || (b && !b.ok)) {
      const fail = !v.ok ? v : (b as { ok: false; code: string; reason: string });
      refused.push({
        device: '*',
        deviceId: null,
        field: p.name,
        code: fail.code,
        reason: `${p.label}: ${fail.reason}`,
      });
      paramsOk = false;
    } else params[p.name] = v.value;
  }

  const rows = selectDevices(ws, playbook, opts.target);
  const devices: RenderDevice[] = [];
  const wantKeys = opts.withKeys && route.needsKeys;
  const includedKeyIds: string[] = [];
  const vault = new KeyVault(ws.db, ws.box);
  for (const row of rows) {
    const h = checkHostname(row.hostname);
    if (!h.ok) {
      refused.push({ device: row.hostname, deviceId: row.id, field: 'hostname', code: h.code, reason: h.reason });
      continue;
    }
    const keyRows = remediationTable.deviceKeys(ws.db, row.id);
    const keys: RenderKey[] = [];
    let bad = false;
    for (const k of keyRows) {
      const id = guid(k.key_id, 'key ID');
      if (!id.ok) {
        refused.push({ device: row.hostname, deviceId: row.id, field: 'key ID', code: id.code, reason: id.reason });
        continue;
      }
      if (!k.valid) {
        refused.push({
          device: row.hostname,
          deviceId: row.id,
          field: 'recovery password',
          code: 'invalid-key',
          reason: `key {${id.value}} is marked invalid in the workspace${k.problem ? `: ${k.problem}` : ''}; it is left out`,
        });
        continue;
      }
      if (!wantKeys) {
        keys.push({ keyId: id.value });
        continue;
      }
      const pw = recoveryPassword(await vault.reveal(k));
      if (!pw.ok) {
        refused.push({
          device: row.hostname,
          deviceId: row.id,
          field: 'recovery password',
          code: pw.code,
          reason: `key {${id.value}}: ${pw.reason}`,
        });
        bad = true;
        continue;
      }
      keys.push({ keyId: id.value, password: pw.value });
    }
    if (bad && keys.length === 0) warnings.push(`${row.hostname}: no usable recovery key`);
    if (route.needsKeys && keys.length === 0) warnings.push(`${row.hostname}: no valid recovery key in the workspace`);
    devices.push({ ...row, keys });
  }
  for (const d of devices) for (const k of d.keys) if (k.password) includedKeyIds.push(k.keyId);

  const generatedAt = new Date(ws.now()).toISOString();
  const wsId = workspaceId(ws);
  const states =
    opts.target.states ??
    (opts.target.deviceIds?.length || opts.target.hostnames?.length ? [] : playbook.defaultStates);
  const base = {
    playbook,
    route,
    params,
    withKeys: wantKeys,
    generatedAt,
    workspaceId: wsId,
    targetText: targetText(opts.target, states),
    logName: `ringside-${playbook.id}.log`,
  };
  const files: BundleFile[] = [];
  const perDevice = route.scope === 'device' || opts.perDevice === true;
  if (paramsOk && devices.length > 0) {
    const groups = perDevice ? devices.map((d) => [d]) : [devices];
    for (const group of groups) {
      const content = renderFor(route, { ...base, devices: group });
      const path = perDevice
        ? `${playbook.id}/${route.id}/${group[0]!.hostname}.${EXT[route.shell]}`
        : `${playbook.id}/${route.id}.${EXT[route.shell]}`;
      files.push({ path, content, sha256: await sha256Hex(content) });
    }
  } else if (devices.length === 0) warnings.push('no device matches the target');
  if (!isBuiltin(playbook)) warnings.unshift(notBuiltinBanner(playbook));

  const allKeys = devices.flatMap((d) => d.keys);
  const manifestBase: Omit<BundleManifest, 'generationId'> = {
    format: 'ringside-bundle',
    formatVersion: 1,
    what: {
      playbookId: playbook.id,
      playbookName: playbook.name,
      playbookVersion: playbook.version,
      builtin: isBuiltin(playbook),
      route: route.id,
      routeName: route.name,
      shell: route.shell,
    },
    workspaceId: wsId,
    generatedAt,
    generatedBy: ws.actor,
    target: opts.target,
    params,
    withKeys: wantKeys,
    devices: devices.map((d) => ({
      id: d.id,
      hostname: d.hostname,
      site: d.site,
      ring: d.ring,
      state: d.state,
      keyIds: d.keys.map((k) => k.keyId),
    })),
    refused,
    keyIdsToRotate: includedKeyIds,
    warnings,
    files: files.map((f) => ({
      path: f.path,
      sha256: f.sha256,
      bytes: new TextEncoder().encode(f.content).byteLength,
    })),
  };
  const stored = files.map((f) => ({ path: f.path, sha256: f.sha256, content: redact(f.content, allKeys) }));
  const generationId = remediationTable.addGeneration(ws.db, {
    at: ws.now(),
    actor: ws.actor,
    playbook_id: playbook.id,
    playbook_version: playbook.version,
    route: route.id,
    target: JSON.stringify(opts.target),
    with_keys: wantKeys ? 1 : 0,
    devices: devices.length,
    refused: refused.length,
    manifest: '{}',
    files: JSON.stringify(stored),
  });
  const manifest: BundleManifest = { ...manifestBase, generationId };
  remediationTable.setManifest(ws.db, generationId, JSON.stringify(manifest));

  if (includedKeyIds.length)
    await audit(ws, 'keys.include', {
      generationId,
      playbookId: playbook.id,
      route: route.id,
      deviceIds: devices.filter((d) => d.keys.some((k) => k.password)).map((d) => d.id),
      keyIds: includedKeyIds,
    });
  await audit(ws, 'scripts.generate', {
    generationId,
    playbookId: playbook.id,
    playbookVersion: playbook.version,
    route: route.id,
    target: opts.target,
    devices: devices.length,
    refused: refused.length,
    withKeys: wantKeys,
    files: manifest.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
  });
  return { generationId, files, manifest, refused, keyIdsToRotate: includedKeyIds };
}
