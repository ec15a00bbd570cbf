// One test per evidence rule, each with a case where it must not fire, through the real import path and recompute.
import { describe, expect, it } from 'vitest';
import { analysisHandlers as h } from '../../../../core/analysis/handlers.js';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFiles } from '../../../../core/ingest/index.js';
import type { Workspace } from '../../../../core/workspace.js';
import { emptyWorkspace } from './fixtures.js';

// Exposure window of the default playbook: 19 July 2024 04:09–05:27 UTC.
const FALCON_HEAD = 'Hostname,Host ID,Platform,Sensor Version,First Seen,Last Seen';
const falcon = (rows: Array<[string, string, string?]>) =>
  [
    FALCON_HEAD,
    ...rows.map(
      ([host, last, ver], i) =>
        `${host},${(i + 1).toString(16).padStart(32, 'a')},Windows,${ver ?? '7.16.18605.0'},2024-06-01T08:00:00Z,${last}`,
    ),
  ].join('\r\n');

const PROPS = '"System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"';
const MSG = {
  41: '"The system has rebooted without cleanly shutting down first."',
  6008: '"The previous system shutdown at 4:31:00 AM on 7/19/2024 was unexpected."',
  1001: '"The computer has rebooted from a bugcheck.  The bugcheck was: 0x00000050 (0x1, 0x0, 0x2, 0x0). A dump was saved in: C:\\Windows\\MEMORY.DMP."',
} as const;
const PROVIDER = {
  41: 'Microsoft-Windows-Kernel-Power',
  6008: 'EventLog',
  1001: 'Microsoft-Windows-WER-SystemErrorReporting',
};
const events = (rows: Array<[string, 41 | 6008 | 1001, string]>) =>
  [
    'Message,Id,ProviderName,MachineName,TimeCreated,Properties',
    ...rows.map(([host, id, t]) => `${MSG[id]},${id},${PROVIDER[id]},${host},${t},${PROPS}`),
  ].join('\r\n');

/** Event 41 as XML (Get-WinEvent ToXml / Event Viewer "Save as XML"): BugcheckCode survives there, in decimal. */
const xml41 = (host: string, t: string, code: number) =>
  `<Events><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>` +
  `<Provider Name="Microsoft-Windows-Kernel-Power" Guid="{331c3b3a-2005-44c2-ac5e-77220c37d6b4}"/><EventID>41</EventID>` +
  `<TimeCreated SystemTime="${t}"/><Computer>${host}</Computer></System><EventData>` +
  `<Data Name="BugcheckCode">${code}</Data><Data Name="BugcheckParameter1">0xffffd20b6c7c1000</Data></EventData></Event></Events>`;

type Files = Array<[string, string]>;

async function states(
  files: Files,
): Promise<{ ws: Workspace; st: Record<string, { state: string; certainty: string; rule: string }> }> {
  const ws = await emptyWorkspace();
  const reports = await importFiles(
    ws,
    files.map(([n, d]) => inputFromBytes(n, d)),
  );
  for (const r of reports) {
    expect(r.format, r.file).not.toBe('unknown');
    expect(r.rejected, `${r.file}: ${JSON.stringify(r.errors)}`).toBe(0);
  }
  const rows = ws.db.all<{ hostname: string; state: string; certainty: string; state_rule: string }>(
    'SELECT hostname, state, certainty, state_rule FROM devices',
  );
  return {
    ws,
    st: Object.fromEntries(
      rows.map((r) => [r.hostname, { state: r.state, certainty: r.certainty, rule: r.state_rule }]),
    ),
  };
}

const AFFECTED = ['crashed', 'needs_fix', 'self_recovered', 'fixed', 'fix_in_progress', 'needs_reimage'];

describe('evidence rules', () => {
  it('1001 BugCheck with its stop code is a confirmed crash; on a sensor below 7.11 it is not', async () => {
    const { st } = await states([
      [
        'falcon.csv',
        falcon([
          ['PC-1', '2024-07-19T04:20:00Z'],
          ['PC-2', '2024-07-19T04:20:00Z', '7.10.17706.0'],
        ]),
      ],
      [
        'ev.csv',
        events([
          ['PC-1', 1001, '2024-07-19T04:31:00Z'],
          ['PC-2', 1001, '2024-07-19T04:31:00Z'],
        ]),
      ],
    ]);
    expect(AFFECTED).toContain(st['PC-1']!.state);
    expect(st['PC-1']!.certainty).toBe('confirmed');
    expect(st['PC-1']!.rule).toMatch(/crashed 04:31/);
    expect(st['PC-2']!.state).toBe('not_exposed');
  });

  it('41 with a BugcheckCode (XML keeps it) is a crash; 41 with BugcheckCode 0 is only an unclean restart', async () => {
    const { ws, st } = await states([
      [
        'falcon.csv',
        falcon([
          ['PC-1', '2024-07-19T04:20:00Z'],
          ['PC-2', '2024-07-19T09:20:00Z'],
        ]),
      ],
      ['a.xml', xml41('PC-1', '2024-07-19T04:31:00.0000000Z', 80)],
      ['b.xml', xml41('PC-2', '2024-07-19T04:33:00.0000000Z', 0)],
    ]);
    expect(AFFECTED).toContain(st['PC-1']!.state);
    const f = ws.db.get<{ type: string; value: string }>(
      "SELECT type, value FROM facts f JOIN devices d ON d.id = f.device_id WHERE d.hostname = 'PC-1' AND class = 'crash'",
    )!;
    expect(f.type).toBe('bugcheck');
    expect(f.value).toMatch(/0x50/);
    expect(st['PC-2']!.state).toBe('exposed_healthy');
  });

  it('a boot loop: 3 unclean restarts (41 or 6008) within 60 min from inside the window; not a single restart outside it, not three before it', async () => {
    const { st } = await states([
      [
        'falcon.csv',
        falcon([
          ['PC-1', '2024-07-19T04:20:00Z'],
          ['PC-2', '2024-07-19T09:00:00Z'],
          ['PC-3', '2024-07-19T09:00:00Z'],
          ['PC-4', '2024-07-19T09:00:00Z'],
        ]),
      ],
      [
        'ev.csv',
        events([
          ['PC-1', 41, '2024-07-19T04:31:00Z'],
          ['PC-1', 6008, '2024-07-19T04:35:00Z'],
          ['PC-1', 41, '2024-07-19T04:40:00Z'],
          // One clean-looking reboot outside the window: nothing.
          ['PC-2', 41, '2024-07-19T12:00:00Z'],
          // Three within an hour, all before the window opened: a bad night, not this incident.
          ['PC-3', 41, '2024-07-19T01:00:00Z'],
          ['PC-3', 41, '2024-07-19T01:10:00Z'],
          ['PC-3', 41, '2024-07-19T01:20:00Z'],
          // Two within the window: under the rule's three.
          ['PC-4', 41, '2024-07-19T04:31:00Z'],
          ['PC-4', 41, '2024-07-19T04:35:00Z'],
        ]),
      ],
    ]);
    expect(AFFECTED).toContain(st['PC-1']!.state);
    expect(st['PC-1']!.certainty).toBe('confirmed');
    expect(st['PC-1']!.rule).toMatch(/boot loop from 04:31: 3 unclean restarts/);
    for (const hn of ['PC-2', 'PC-3', 'PC-4']) expect(st[hn]!.state, hn).toBe('exposed_healthy');
  });

  it('stopped reporting: last seen inside the window and not since is a suspected crash; a later check-in is not', async () => {
    const { st } = await states([
      [
        'falcon.csv',
        falcon([
          ['PC-1', '2024-07-19T04:40:00Z'],
          ['PC-2', '2024-07-19T04:40:00Z'],
          ['PC-3', '2024-07-19T09:12:00Z'],
        ]),
      ],
      // PC-2 signs in to Entra later that morning: it was never down.
      [
        'exportDevice.csv',
        [
          'displayName,accountEnabled,operatingSystem,operatingSystemVersion,joinType (trustType),registeredOwners,userNames,mdmDisplayName,isCompliant,registrationTime,approximateLastSignInDateTime,deviceId,isManaged,objectId,profileType,systemLabels,model',
          'PC-2,True,Windows,10.0.22631.3880,Microsoft Entra joined,,,Microsoft Intune,True,2024-02-12T10:00:00Z,2024-07-19T08:55:00Z,3f2c1a9e-1b2c-4d3e-8f4a-5b6c7d8e9f01,True,9a8b7c6d-1b2c-4d3e-8f4a-5b6c7d8e9f02,RegisteredDevice,,HP',
        ].join('\r\n'),
      ],
    ]);
    expect(st['PC-1']!.state).toBe('needs_fix');
    expect(st['PC-1']!.certainty).toBe('suspected');
    expect(st['PC-1']!.rule).toMatch(
      /stopped reporting: last seen 04:40 in the window and not since \(suspected crash\); over 2 h before data time$/,
    );
    expect(st['PC-2']!.state).toBe('exposed_healthy');
    expect(st['PC-3']!.state).toBe('exposed_healthy');
  });

  it('recovery by check-in: a check-in after the last crash recovers; a check-in before the crash does not', async () => {
    const { st } = await states([
      [
        'falcon.csv',
        falcon([
          ['PC-1', '2024-07-19T04:20:00Z'],
          ['PC-2', '2024-07-19T04:20:00Z'],
        ]),
      ],
      [
        'ev.csv',
        events([
          ['PC-1', 1001, '2024-07-19T04:31:00Z'],
          ['PC-2', 1001, '2024-07-19T04:31:00Z'],
        ]),
      ],
      // The next morning's Falcon export (same Host IDs) sees PC-1 again; PC-2's last check-in is still before its crash.
      [
        'falcon-day2.csv',
        falcon([
          ['PC-1', '2024-07-20T08:00:00Z'],
          ['PC-2', '2024-07-19T04:30:59Z'],
        ]),
      ],
    ]);
    expect(st['PC-1']!.state).toBe('self_recovered');
    expect(st['PC-1']!.rule).toMatch(/back online 07-20 08:00 \(a check-in after its last crash\)/);
    expect(st['PC-2']!.state).toBe('needs_fix');
  });

  it("an Autopatch default-column 'Up to date' (as of the export) is no check-in; with its own check-in time it is", async () => {
    const AP = 'Device name,Deployment ring,Update status,Pause status,Current version,Readiness,Alerts';
    const APT =
      'Device name,Deployment ring,Update status,Pause status,Current version,Readiness,Alerts,Intune last check in time';
    const { ws, st } = await states([
      [
        'falcon.csv',
        falcon([
          ['PC-1', '2024-07-19T04:20:00Z'],
          ['PC-2', '2024-07-19T04:20:00Z'],
        ]),
      ],
      [
        'ev.csv',
        events([
          ['PC-1', 1001, '2024-07-19T04:31:00Z'],
          ['PC-2', 1001, '2024-07-19T04:31:00Z'],
        ]),
      ],
      [
        'QualityUpdateStatus_2024-07-20_0900.csv',
        [AP, 'PC-1,Modern Workplace Devices-Windows Autopatch-Fast,Up to date,Not paused,10.0.22631.3880,Ready,'].join(
          '\r\n',
        ),
      ],
      [
        'QualityUpdateStatus-with-checkin.csv',
        [
          APT,
          'PC-2,Modern Workplace Devices-Windows Autopatch-Broad,Up to date,Not paused,10.0.22631.3880,Ready,,2024-07-20T07:30:00Z',
        ].join('\r\n'),
      ],
    ]);
    expect(st['PC-1']!.state).toBe('needs_fix');
    expect(st['PC-2']!.state).toBe('self_recovered');
    // Both rows are ring facts, from the report's own file and line.
    const rings = ws.db.all<{ value: string; line: number }>(
      "SELECT value, line FROM facts WHERE class = 'ring' ORDER BY value",
    );
    expect(rings).toEqual([
      { value: 'Broad', line: 2 },
      { value: 'Fast', line: 2 },
    ]);
  });

  it("a 'fixed' event and a field result are outcomes; a 'failed' event without reimage is not", async () => {
    const ROLL = 'timestamp_utc,hostname_raw,state,source,detail';
    const { ws, st } = await states([
      [
        'falcon.csv',
        falcon([
          ['PC-1', '2024-07-19T04:20:00Z'],
          ['PC-2', '2024-07-19T04:20:00Z'],
          ['PC-3', '2024-07-19T04:20:00Z'],
        ]),
      ],
      [
        'ev.csv',
        events([
          ['PC-1', 1001, '2024-07-19T04:31:00Z'],
          ['PC-2', 1001, '2024-07-19T04:31:00Z'],
          ['PC-3', 1001, '2024-07-19T04:31:00Z'],
        ]),
      ],
      [
        'manual.csv',
        [
          ROLL,
          '2024-07-19T10:00:00Z,PC-1,fixed,manual,deleted C-00000291*.sys',
          '2024-07-19T10:00:00Z,PC-2,failed,manual,BitLocker key missing',
        ].join('\r\n'),
      ],
    ]);
    expect(st['PC-1']!.state).toBe('fixed');
    expect(st['PC-2']!.state).toBe('needs_fix');
    const id = ws.db.value<number>("SELECT id FROM devices WHERE hostname = 'PC-3'")!;
    ws.db.run(
      "INSERT INTO results(device_id, result, at, origin, record_hash) VALUES (?, 'fixed', ?, 'console', 'h1')",
      [id, Date.UTC(2024, 6, 19, 11)],
    );
    h.recompute(ws, [id]);
    const chain = h.deviceDetail(ws, id)!.evidence!;
    expect(chain.state).toBe('fixed');
    expect(chain.facts.find((f) => f.deciding)!.class).toBe('result');
  });
});
