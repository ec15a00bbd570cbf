// States from default-column exports written from the published formats: per-ring truth on day 1, then day 2.
import { beforeAll, describe, expect, it } from 'vitest';
import { handlers as h } from '../../../../core/api/handlers.js';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFiles } from '../../../../core/ingest/index.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import {
  DAY1_AS_OF,
  day1Files,
  day2Files,
  population,
  truth,
  type ExportFile,
  type RingTruth,
} from '../../../fixtures/published/exports.js';
import { emptyWorkspace } from './fixtures.js';

const pop = population();
const inputs = (files: ExportFile[]) => files.map((f) => inputFromBytes(f.name, f.data));

function ours(ws: Workspace): RingTruth[] {
  const s = h.summary(ws);
  return s.byRing.map((r) => ({
    ring: r.ring,
    devices: r.devices,
    exposed: r.exposed,
    affected: r.affected,
    affectedConfirmed: r.confirmed.affected,
    affectedSuspected: r.suspected.affected,
    recovered: r.recovered,
    remaining: r.remaining,
  }));
}

const byRing = (xs: RingTruth[]) => [...xs].sort((a, b) => a.ring.localeCompare(b.ring));

describe('states from the published default-column exports', () => {
  let ws: Workspace;

  beforeAll(async () => {
    ws = await emptyWorkspace();
  });

  it('the population exercises every fate, on both days', () => {
    const fates = new Set(pop.map((m) => m.fate));
    expect([...fates].sort()).toEqual(['bsod', 'healthy', 'loop', 'mac', 'offline', 'old', 'reboot_once', 'silent']);
    const crashed = pop.filter((m) => m.fate === 'bsod' || m.fate === 'loop');
    expect(crashed.some((m) => m.back && m.via === 'falcon')).toBe(true);
    expect(crashed.some((m) => m.back && m.via === 'intune')).toBe(true);
    expect(crashed.some((m) => !m.back)).toBe(true);
  });

  it('day 1: every row imported, per-ring devices, affected (confirmed and suspected), recovered and remaining', async () => {
    const reports = await importFiles(ws, inputs(day1Files(pop)));
    for (const r of reports) {
      expect(
        r.errors.filter((e) => !e.message.startsWith('kept:')),
        r.file,
      ).toEqual([]);
      expect(r.rejected, r.file).toBe(0);
    }
    expect(reports.map((r) => r.format)).toEqual(['falcon', 'intune', 'entra', 'autopatch', 'events']);
    expect(ws.db.value('SELECT COUNT(*) FROM devices')).toBe(pop.length);
    expect(byRing(ours(ws))).toEqual(byRing(truth(pop, 1)));
  });

  it('day 2: check-ins recover part of the crashed machines; no device is duplicated', async () => {
    const factsBefore = ws.db.value<number>('SELECT COUNT(*) FROM facts WHERE derived = 0')!;
    const reports = await importFiles(ws, inputs(day2Files(pop)));
    for (const r of reports) expect(r.rejected, r.file).toBe(0);
    expect(ws.db.value('SELECT COUNT(*) FROM devices')).toBe(pop.length);
    expect(ws.db.value<number>('SELECT COUNT(*) FROM facts WHERE derived = 0')!).toBeGreaterThan(factsBefore);
    expect(byRing(ours(ws))).toEqual(byRing(truth(pop, 2)));
    const t2 = truth(pop, 2);
    expect(h.summary(ws).totals.recovered).toBe(t2.reduce((n, r) => n + r.recovered, 0));
  });

  it('the burn-down has a point at each export; the day-2 point is lower; per-source freshness flags the stale ones', () => {
    const pts = h.series(ws).exportPoints;
    // Drawn from what is known now: a silent machine that checked in on day 2 was never down, on day 1 either.
    const t1 = pop.filter((m) => m.fate === 'bsod' || m.fate === 'loop' || (m.fate === 'silent' && !m.back)).length;
    const t2 = truth(pop, 2).reduce((n, r) => n + r.remaining, 0);
    // The day-1 Falcon export's last check-in is its as-of time; the day-2 one likewise.
    const falcon1 = pts.find((p) => p.files.includes('falcon-hosts-2024-07-19.csv'))!;
    const falcon2 = pts.find((p) => p.files.includes('falcon-hosts-2024-07-20.csv'))!;
    expect(falcon2.t).toBeGreaterThan(falcon1.t);
    expect(falcon1.remaining).toBe(t1);
    expect(falcon2.remaining).toBe(t2);
    expect(pts.find((p) => p.files.includes('QualityUpdateStatus_2024-07-19_0912.csv'))!.t).toBe(DAY1_AS_OF);
    const fresh = Object.fromEntries(h.freshness(ws).map((f) => [f.format, f]));
    expect(fresh.falcon!.file).toBe('falcon-hosts-2024-07-20.csv');
    expect(fresh.falcon!.stale).toBe(false);
    expect(fresh.intune!.stale).toBe(false);
    // Entra and Autopatch were exported once, on day 1: a day behind Falcon and Intune.
    expect(fresh.entra!.stale).toBe(true);
    expect(fresh.autopatch!.stale).toBe(true);
  });

  it('an identical re-import adds nothing', async () => {
    const before = {
      facts: ws.db.value('SELECT COUNT(*) FROM facts'),
      devices: ws.db.value('SELECT COUNT(*) FROM devices'),
      events: ws.db.value('SELECT COUNT(*) FROM events'),
    };
    const again = await importFiles(ws, inputs([...day1Files(pop), ...day2Files(pop)]));
    expect(again.every((r) => r.duplicate)).toBe(true);
    expect({
      facts: ws.db.value('SELECT COUNT(*) FROM facts'),
      devices: ws.db.value('SELECT COUNT(*) FROM devices'),
      events: ws.db.value('SELECT COUNT(*) FROM events'),
    }).toEqual(before);
  });

  it('each device names the fact that decided its state, with file and line', () => {
    const recovered = pop.find((m) => (m.fate === 'bsod' || m.fate === 'loop') && m.back && m.via === 'intune')!;
    const id = ws.db.value<number>('SELECT id FROM devices WHERE hostname = ?', [recovered.host])!;
    const chain = h.deviceDetail(ws, id)!.evidence!;
    expect(chain.state).toBe('self_recovered');
    const deciding = chain.facts.filter((f) => f.deciding);
    expect(deciding).toHaveLength(1);
    expect(deciding[0]!.class).toBe('seen');
    expect(deciding[0]!.file).toBe('DevicesWithInventory_2024-07-20.zip');
    // Line 1 is the header: the device's row is its index + 2 in the file.
    expect(deciding[0]!.line).toBe(recovered.i + 2);
    expect(chain.rule).toMatch(/back online 07-20 \d\d:\d\d \(a check-in after its last crash\)/);
    // The crash itself is on the chain too, from the event log.
    expect(chain.facts.some((f) => f.class === 'crash' && f.file === 'system-41-1001.csv')).toBe(true);

    const silent = pop.find((m) => m.fate === 'silent' && !m.back)!;
    const sid = ws.db.value<number>('SELECT id FROM devices WHERE hostname = ?', [silent.host])!;
    const sc = h.deviceDetail(ws, sid)!.evidence!;
    expect(sc.certainty).toBe('suspected');
    const d = sc.facts.find((f) => f.deciding)!;
    expect(d.type).toBe('stopped_reporting');
    expect(d.file).toBe('falcon-hosts-2024-07-19.csv');
    expect(d.line).toBe(silent.i + 2);
  });

  it('lists exactly the counted devices for a class and a certainty', () => {
    const t2 = truth(pop, 2);
    const s = h.summary(ws);
    const sus = h.devices(ws, { state: 'affected', certainty: 'suspected', limit: 500 });
    expect(sus.total).toBe(s.suspected.affected);
    expect(sus.rows.map((r) => r.hostname).sort()).toEqual(
      pop
        .filter((m) => m.fate === 'silent' && !m.back)
        .map((m) => m.host)
        .sort(),
    );
    expect(s.suspected.affected).toBe(t2.reduce((n, r) => n + r.affectedSuspected, 0));
  });
});

describe('the same exports in a workspace with no window chosen', () => {
  it('derive the window from the crash cluster, and day 1 and day 2 give the same states', async () => {
    const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(3) });
    await importFiles(ws, inputs(day1Files(pop)));
    // By hand: no content-rollout rows, so the crash cluster. Each machine's first signal in the event log: a boot
    // loop's first 41 at its time (04:15 + i min), a blue screen's 41 a minute later; all minutes apart, one cluster.
    // The window opens 15 min before the first signal (the content came before the crash it caused).
    const crashy = pop.filter((m) => m.fate === 'bsod' || m.fate === 'loop');
    const signal = (m: (typeof pop)[number]) => (m.fate === 'bsod' ? m.at + 60_000 : m.at);
    const first = Math.min(...crashy.map(signal));
    const last = Math.max(...crashy.map(signal));
    expect(h.summary(ws).window).toMatchObject({
      source: 'derived',
      basis: 'crashes',
      devices: crashy.length,
      start: first - 15 * 60_000,
      end: last,
    });
    expect(byRing(ours(ws))).toEqual(byRing(truth(pop, 1)));
    await importFiles(ws, inputs(day2Files(pop)));
    expect(byRing(ours(ws))).toEqual(byRing(truth(pop, 2)));
  });
});
