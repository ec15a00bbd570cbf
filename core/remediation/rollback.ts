// Rollback and halt commands per ring and vendor, generated for review (Ringside never runs them), with the devices they affect.
import * as deviceTable from '../store/devices.js';
import type { Workspace } from '../workspace.js';
import { psQuote } from './quote.js';
import { buildNumber, falconId, guid, wingetId } from './validate.js';

export const ROLLBACK_VENDORS = [
  'falcon-content',
  'falcon-sensor',
  'intune',
  'autopatch',
  'configmgr',
  'winget',
] as const;
export type RollbackVendor = (typeof ROLLBACK_VENDORS)[number];

export interface RollbackOptions {
  vendor: string;
  ring: string;
  /** Optional known ids; missing ones become a checked placeholder the reviewer must fill in. */
  policyId?: string;
  build?: string;
  wingetId?: string;
  contentVersion?: string;
}

export interface RollbackCommand {
  title: string;
  /** http (method, URL and JSON body), powershell or bash. */
  kind: 'http' | 'powershell' | 'bash';
  text: string;
}

export interface RollbackPlan {
  vendor: RollbackVendor;
  ring: string;
  affects: { rings: string[]; devices: number; bySite: Array<{ site: string; devices: number }>; hostnames: string[] };
  commands: RollbackCommand[];
  notes: string[];
}

function ps(v: string): string {
  const q = psQuote(v);
  if (!q.ok) throw new Error(`value ${q.reason}`);
  return q.text;
}

/** A PowerShell variable set to the known value, or to a placeholder that stops the script until it is filled in. */
function psParam(name: string, value: string | undefined, pattern: string, hint: string): string[] {
  return [
    `$${name} = ${ps(value ?? `<${hint}>`)}`,
    `if ($${name} -notmatch ${ps(pattern)}) { throw ${ps(`set $${name} to the ${hint} first`)} }`,
  ];
}

function checked(v: string | undefined, check: (x: string) => { ok: boolean; reason?: string }, what: string) {
  if (v === undefined || v === '') return undefined;
  const r = check(v) as { ok: true; value: string } | { ok: false; reason: string };
  if (!r.ok) throw new Error(`${what}: ${r.reason}`);
  return r.value;
}

export function rollbackCommands(ws: Workspace, opts: RollbackOptions): RollbackPlan {
  if (!(ROLLBACK_VENDORS as readonly string[]).includes(opts.vendor))
    throw new Error(`unknown vendor '${opts.vendor}' (one of ${ROLLBACK_VENDORS.join(', ')})`);
  const vendor = opts.vendor as RollbackVendor;
  const ring = opts.ring;
  const known = deviceTable.ringNames(ws.db);
  if (!known.includes(ring))
    throw new Error(`no ring '${ring}' in this workspace (rings: ${known.sort().join(', ') || 'none'})`);
  const policyId = checked(
    opts.policyId,
    vendor === 'intune' || vendor === 'autopatch' ? (v) => guid(v) : falconId,
    'policy id',
  );
  const build = checked(opts.build, buildNumber, 'build');
  const content = checked(opts.contentVersion, buildNumber, 'content version');
  const winget = checked(opts.wingetId, wingetId, 'winget id');

  const platform = vendor === 'falcon-content' || vendor === 'falcon-sensor' ? null : 'windows';
  const { devices, bySite, hostnames } = deviceTable.ringMembers(ws.db, ring, platform);

  const commands: RollbackCommand[] = [];
  const notes: string[] = [];
  const policyHint = `policy id of ring ${ring}`;
  switch (vendor) {
    case 'falcon-content': {
      const categories = [
        'system_critical',
        'sensor_operations',
        'rapid_response_al_bl_listing',
        'vulnerability_management',
      ];
      const pause = categories.map((id) =>
        // system_critical cannot be paused: the closest halt is general availability with the longest delay.
        id === 'system_critical'
          ? { id, ring_assignment: 'ga', delay_hours: '72' }
          : { id, ring_assignment: 'pause', delay_hours: '0' },
      );
      const body = (settings: unknown[]) =>
        JSON.stringify(
          { resources: [{ id: policyId ?? `<${policyHint}>`, settings: { ring_assignment_settings: settings } }] },
          null,
          2,
        );
      commands.push({
        title: 'Pause content updates (API)',
        kind: 'http',
        text: `PATCH /policy/entities/content-update/v1\n${body(pause)}`,
      });
      commands.push({
        title: 'Delay instead of pause: general availability after 24 hours (API)',
        kind: 'http',
        text: `PATCH /policy/entities/content-update/v1\n${body(categories.map((id) => ({ id, ring_assignment: 'ga', delay_hours: '24' })))}`,
      });
      commands.push({
        title: 'Early access (ea) for the test ring only (API)',
        kind: 'http',
        text: `PATCH /policy/entities/content-update/v1\n${body(categories.map((id) => ({ id, ring_assignment: 'ea', delay_hours: '0' })))}`,
      });
      commands.push({
        title: 'Pin a known good content version (API)',
        kind: 'http',
        text: `PATCH /policy/entities/content-update/v1\n${body(
          categories
            .filter((c) => c !== 'system_critical')
            .map((id) => ({
              id,
              ring_assignment: 'ga',
              delay_hours: '0',
              pinned_content_version: content ?? '<known good content version>',
            })),
        )}`,
      });
      commands.push({
        title: 'Pause content updates (PSFalcon)',
        kind: 'powershell',
        text: [
          ...psParam('PolicyId', policyId, '^[0-9a-f]{32}$', policyHint),
          '$settings = @{ ring_assignment_settings = @(',
          ...pause.map(
            (s) =>
              `  @{ id = ${ps(s.id)}; ring_assignment = ${ps(s.ring_assignment)}; delay_hours = ${ps(s.delay_hours)} }`,
          ),
          ') }',
          'Edit-FalconContentPolicy -Id $PolicyId -Setting $settings',
        ].join('\n'),
      });
      notes.push('system_critical content cannot be paused; it is set to ga with the longest delay instead.');
      notes.push('Resume by setting ring_assignment back to ga with the delay the ring had before.');
      break;
    }
    case 'falcon-sensor':
      commands.push({
        title: 'Pin the sensor build (API)',
        kind: 'http',
        text: `PATCH /policy/entities/sensor-update/v2\n${JSON.stringify(
          {
            resources: [
              { id: policyId ?? `<${policyHint}>`, settings: { build: build ?? '<known good build, e.g. 18605>' } },
            ],
          },
          null,
          2,
        )}`,
      });
      commands.push({
        title: 'Pin the sensor build (PSFalcon)',
        kind: 'powershell',
        text: [
          ...psParam('PolicyId', policyId, '^[0-9a-f]{32}$', policyHint),
          ...psParam('Build', build, '^[0-9]+$', 'known good sensor build'),
          'Edit-FalconSensorUpdatePolicy -Id $PolicyId -Setting @{ build = $Build }',
        ].join('\n'),
      });
      notes.push('Use a specific build or N-1/N-2; add a scheduler blackout window if needed.');
      break;
    case 'intune': {
      const uri = `https://graph.microsoft.com/v1.0/deviceManagement/deviceConfigurations/`;
      const lines = (propsJson: string) => [
        ...psParam('RingId', policyId, '^[0-9a-fA-F-]{36}$', `Intune update ring id of ring ${ring}`),
        'Connect-MgGraph -Scopes DeviceManagementConfiguration.ReadWrite.All',
        `Invoke-MgGraphRequest -Method PATCH -Uri (${ps(uri)} + $RingId) -ContentType 'application/json' -Body ${ps(propsJson)}`,
      ];
      const t = '"@odata.type":"#microsoft.graph.windowsUpdateForBusinessConfiguration"';
      commands.push({
        title: 'Pause quality updates on the ring (Graph)',
        kind: 'powershell',
        text: lines(`{${t},"qualityUpdatesPaused":true}`).join('\n'),
      });
      commands.push({
        title: 'Pause feature updates on the ring (Graph)',
        kind: 'powershell',
        text: lines(`{${t},"featureUpdatesPaused":true}`).join('\n'),
      });
      commands.push({
        title: 'Uninstall the latest quality update on the ring (Graph)',
        kind: 'powershell',
        text: lines(`{${t},"qualityUpdatesWillBeRolledBack":true}`).join('\n'),
      });
      notes.push('A pause lasts 35 days unless extended or resumed. Uninstall only removes the latest quality update.');
      break;
    }
    case 'autopatch':
      commands.push({
        title: 'Pause the deployment (Windows Update for Business deployment service, Graph beta)',
        kind: 'powershell',
        text: [
          ...psParam('DeploymentId', policyId, '^[0-9a-fA-F-]{36}$', `deployment id for ring ${ring}`),
          'Connect-MgGraph -Scopes WindowsUpdates.ReadWrite.All',
          `Invoke-MgGraphRequest -Method PATCH -Uri (${ps('https://graph.microsoft.com/beta/admin/windows/updates/deployments/')} + $DeploymentId) -ContentType 'application/json' -Body ${ps('{"@odata.type":"#microsoft.graph.windowsUpdates.deployment","state":{"@odata.type":"microsoft.graph.windowsUpdates.deploymentState","requestedValue":"paused"}}')}`,
        ].join('\n'),
      });
      notes.push(
        'In the Intune admin centre: Tenant administration > Windows Autopatch > Release management > Pause, with a reason.',
      );
      break;
    case 'configmgr':
      commands.push({
        title: 'Suspend the phased deployment (ConfigurationManager module)',
        kind: 'powershell',
        text: [
          `$PhaseName = ${ps(`<phased deployment name for ring ${ring}>`)}`,
          "if ($PhaseName.StartsWith('<')) { throw 'set $PhaseName first' }",
          "Import-Module ($Env:SMS_ADMIN_UI_PATH.Substring(0, $Env:SMS_ADMIN_UI_PATH.Length - 5) + '\\ConfigurationManager.psd1')",
          'Suspend-CMPhasedDeployment -Name $PhaseName -Force',
        ].join('\n'),
      });
      notes.push('Resume later with Resume-CMPhasedDeployment -Name $PhaseName.');
      break;
    case 'winget':
      commands.push({
        title: 'Pin the package on each device (PowerShell, per device)',
        kind: 'powershell',
        text: [
          `$PackageId = ${ps(winget ?? '<winget id, e.g. Microsoft.PowerShell>')}`,
          "if ($PackageId -notmatch '^[A-Za-z0-9][A-Za-z0-9_+-]*(\\.[A-Za-z0-9_+-]+)+$') { throw 'set $PackageId first' }",
          'winget pin add --id $PackageId --blocking --accept-source-agreements',
        ].join('\n'),
      });
      commands.push({
        title: 'Downgrade: uninstall, then install the known good version',
        kind: 'powershell',
        text: [
          `$PackageId = ${ps(winget ?? '<winget id>')}`,
          `$Version = ${ps(build ?? '<known good version>')}`,
          'winget uninstall --id $PackageId --exact',
          'winget install --id $PackageId --exact --version $Version',
        ].join('\n'),
      });
      notes.push('winget has no downgrade verb; MSI packages often refuse in-place downgrades.');
      break;
  }
  notes.push(
    `Affects ring ${ring}: ${devices} device(s)${platform ? ' (Windows)' : ''}. Ringside only writes these commands; review and run them yourself.`,
  );
  return { vendor, ring, affects: { rings: [ring], devices, bySite, hostnames }, commands, notes };
}
