// Safe-deployment conformance: one uniform checklist per vendor/agent in the estate, derived from the imported data.
import * as replayTable from '../store/replay.js';
import type { Workspace } from '../workspace.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'unknown';

export interface ConformanceCheck {
  id: 'canary' | 'bake' | 'pause' | 'delay' | 'rollback';
  label: string;
  status: CheckStatus;
  /** The numbers behind the verdict, in words. */
  evidence: string;
}

export interface VendorConformance {
  vendor: string;
  label: string;
  devices: number;
  rings: Array<{ ring: string; devices: number; percent: number }>;
  checks: ConformanceCheck[];
}

export interface ConformanceReport {
  vendors: VendorConformance[];
  markdown: string;
}

interface VendorFacts {
  label: string;
  /** Source names (device_sources.source / events.source) that belong to this vendor. */
  sources: string[];
  pauseLever: string | null;
  delayLever: string | null;
  rollbackLever: string | null;
}

// What each vendor's own tooling offers (reference/anchors.md 2.6-2.9, formats.md 3.3-3.5).
const VENDORS: Record<string, VendorFacts> = {
  falcon: {
    label: 'CrowdStrike Falcon',
    sources: ['falcon', 'crowdstrike'],
    pauseLever: 'content update policy ring_assignment = pause (not allowed for system_critical)',
    delayLever: 'content update policy ga + delay_hours (0-72)',
    rollbackLever: 'pinned_content_version; sensor update policy revert (builds of the last 180 days)',
  },
  autopatch: {
    label: 'Windows Autopatch / WUfB',
    sources: ['autopatch', 'wufb'],
    pauseLever: 'pause per ring or Autopatch group (can take up to 8 h to reach devices)',
    delayLever: 'quality update deferral days per ring',
    rollbackLever: 'uninstall the latest quality update from the ring',
  },
  intune: {
    label: 'Microsoft Intune',
    sources: ['intune'],
    pauseLever: 'update ring pause (35 days)',
    delayLever: 'qualityUpdatesDeferralPeriodInDays',
    rollbackLever: 'update ring uninstall (quality or feature, within the rollback window)',
  },
  configmgr: {
    label: 'Configuration Manager',
    sources: ['configmgr', 'sccm', 'mecm'],
    pauseLever: 'suspend the phased deployment',
    delayLever: 'phase: begin after N days + success % criterion',
    rollbackLever: null,
  },
  defender: {
    label: 'Microsoft Defender for Endpoint',
    sources: ['defender', 'mde'],
    pauseLever: null,
    delayLever: 'update channel (Beta, Preview, Staged, Broad, Critical - Time Delay 48 h)',
    rollbackLever: 'security intelligence / platform rollback (MpCmdRun -RemoveDefinitions)',
  },
  fleet: {
    label: 'Fleet (osquery)',
    sources: ['fleet', 'fleetdm'],
    pauseLever: null,
    delayLever: null,
    rollbackLever: null,
  },
};

const HOUR = 3_600_000;

/** Autopatch Test-ring guidance: at least 1 device under 500, 5 under 5,000, 50 above. */
function canaryMinimum(fleet: number): number {
  return fleet < 500 ? 1 : fleet < 5000 ? 5 : 50;
}

function pct(n: number, of: number): number {
  return of === 0 ? 0 : Math.round((n / of) * 10000) / 100;
}

function fmtTime(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').slice(0, 16) + 'Z';
}

export function conformance(ws: Workspace): ConformanceReport {
  const deviceSources = replayTable.deviceSourceCounts(ws.db);
  const eventSources = replayTable.eventSourceCounts(ws.db);
  const present = new Set([...deviceSources, ...eventSources].map((r) => r.source));
  const vendors: VendorConformance[] = [];
  for (const [vendor, facts] of Object.entries(VENDORS)) {
    if (!facts.sources.some((s) => present.has(s))) continue;
    const rings = replayTable.vendorRings(ws.db, facts.sources);
    let ringRows = rings.filter((r) => r.ring !== '');
    let devices = rings.reduce((s, r) => s + r.n, 0);
    // A vendor seen only in the rollout log: rings and sizes from its events.
    if (devices === 0) {
      const fromEvents = replayTable.vendorEventRings(ws.db, facts.sources);
      devices = fromEvents.reduce((s, r) => s + r.n, 0);
      ringRows = fromEvents.filter((r) => r.ring !== '');
    }
    const ringList = ringRows.map((r) => ({ ring: r.ring, devices: r.n, percent: pct(r.n, devices) }));
    const checks: ConformanceCheck[] = [];

    // 1. Canary: a ring that is present and small.
    const smallest = ringList[0];
    const min = canaryMinimum(devices);
    if (ringList.length < 2 || !smallest) {
      checks.push({
        id: 'canary',
        label: 'Canary ring present and small',
        status: 'fail',
        evidence: ringList.length
          ? `one ring only (${ringList[0]!.ring}, ${ringList[0]!.devices} devices): no canary`
          : 'no ring membership in the imported data',
      });
    } else {
      const small = smallest.percent <= 5;
      const big = smallest.devices >= min;
      checks.push({
        id: 'canary',
        label: 'Canary ring present and small',
        status: small && big ? 'pass' : 'warn',
        evidence: `smallest ring ${smallest.ring}: ${smallest.devices} of ${devices} devices = ${smallest.percent} % (want <= 5 % and >= ${min} devices)`,
      });
    }

    // 2 + 4. Bake time and content delay, from the rollout log: when each ring first received each content.
    const firsts = replayTable.firstReceipts(ws.db, facts.sources);
    const byContent = new Map<string, Array<{ ring: string; first: number; n: number }>>();
    for (const f of firsts) {
      const list = byContent.get(f.content) ?? [];
      list.push(f);
      byContent.set(f.content, list);
    }
    const main = [...byContent.entries()].sort(
      (a, b) => b[1].reduce((s, x) => s + x.n, 0) - a[1].reduce((s, x) => s + x.n, 0),
    )[0];
    if (!main || main[1].length < 2) {
      const why = main ? `only one ring received ${main[0]}` : 'no rollout events for this vendor';
      checks.push({ id: 'bake', label: 'Bake time between rings', status: 'unknown', evidence: why });
      checks.push({ id: 'delay', label: 'Content delay', status: 'unknown', evidence: why });
    } else {
      const ringsByFirst = [...main[1]].sort((a, b) => a.first - b.first);
      const release = ringsByFirst[0]!.first;
      let maxGap = 0;
      for (let i = 1; i < ringsByFirst.length; i++)
        maxGap = Math.max(maxGap, ringsByFirst[i]!.first - ringsByFirst[i - 1]!.first);
      const lastStart = ringsByFirst[ringsByFirst.length - 1]!.first - release;
      const spread = ringsByFirst.map((r) => `${r.ring || '(none)'} ${fmtTime(r.first)}`).join(', ');
      checks.push({
        id: 'bake',
        label: 'Bake time between rings',
        status: maxGap >= HOUR ? 'pass' : 'fail',
        evidence: `${main[0]}: first receipt per ring ${spread}; longest gap between consecutive rings ${Math.round(maxGap / 60_000)} min (want >= 60 min)`,
      });
      checks.push({
        id: 'delay',
        label: 'Content delay',
        status: lastStart >= HOUR ? 'pass' : 'fail',
        evidence: `the last ring started ${Math.round(lastStart / 60_000)} min after the first receipt (${facts.delayLever ?? 'no delay lever known'})`,
      });
    }

    // 3 + 5. Pause lever and tested rollback: evidenced by paused / rolled_back events, else the vendor's known lever.
    const used = replayTable.leverEvents(ws.db, facts.sources);
    const count = (k: string) => used.find((u) => u.kind === k)?.n ?? 0;
    const paused = count('paused');
    checks.push({
      id: 'pause',
      label: 'Pause lever',
      status: paused > 0 ? 'pass' : facts.pauseLever ? 'warn' : 'fail',
      evidence:
        paused > 0
          ? `${paused} paused events in the rollout log`
          : facts.pauseLever
            ? `available (${facts.pauseLever}) but never used in the imported data`
            : 'no pause lever known for this agent and none seen in the data',
    });
    const rolled = count('rolled_back');
    checks.push({
      id: 'rollback',
      label: 'Tested rollback',
      status: rolled > 0 ? 'pass' : facts.rollbackLever ? 'warn' : 'fail',
      evidence:
        rolled > 0
          ? `${rolled} rolled_back events in the rollout log`
          : facts.rollbackLever
            ? `possible (${facts.rollbackLever}) but no rollback recorded in the imported data`
            : 'no rollback mechanism known and none recorded',
    });
    vendors.push({ vendor, label: facts.label, devices, rings: ringList, checks });
  }
  return { vendors, markdown: toMarkdown(vendors) };
}

const MARK: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', unknown: 'UNKNOWN' };

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function toMarkdown(vendors: VendorConformance[]): string {
  const lines = ['# Safe-deployment conformance', ''];
  if (!vendors.length) {
    lines.push('No vendor or agent with rollout or fleet data in this workspace.');
    return `${lines.join('\n')}\n`;
  }
  const ids: ConformanceCheck['id'][] = ['canary', 'bake', 'pause', 'delay', 'rollback'];
  lines.push('| Vendor | Devices | Canary | Bake | Pause | Delay | Rollback |', '|---|---:|---|---|---|---|---|');
  for (const v of vendors)
    lines.push(
      `| ${cell(v.label)} | ${v.devices} | ${ids.map((id) => MARK[v.checks.find((c) => c.id === id)?.status ?? 'unknown']).join(' | ')} |`,
    );
  for (const v of vendors) {
    lines.push('', `## ${v.label}`, '');
    if (v.rings.length)
      lines.push(`Rings: ${v.rings.map((r) => `${r.ring} ${r.devices} (${r.percent} %)`).join(', ')}`, '');
    lines.push('| Check | Status | Evidence |', '|---|---|---|');
    for (const c of v.checks) lines.push(`| ${cell(c.label)} | ${MARK[c.status]} | ${cell(c.evidence)} |`);
  }
  return `${lines.join('\n')}\n`;
}
