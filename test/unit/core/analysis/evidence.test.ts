// Evidence from default-column exports: Autopatch reports without a time column, and boot loops from 41/6008 without a stop code.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFiles } from '../../../../core/ingest/index.js';
import { emptyWorkspace } from './fixtures.js';

// Falcon console labels (formats.md 1.1): three exposed Windows hosts. PC-2 and PC-3 still check in after the
// window (else "last seen in the window and not since" would make them suspected crashes).
const FALCON = [
  'Hostname,Host ID,Platform,Sensor Version,First Seen,Last Seen',
  `PC-1,${'a'.repeat(32)},Windows,7.16.18605.0,2024-06-01T08:00:00Z,2024-07-19T04:20:00Z`,
  `PC-2,${'b'.repeat(32)},Windows,7.16.18605.0,2024-06-01T08:00:00Z,2024-07-19T09:00:00Z`,
  `PC-3,${'c'.repeat(32)},Windows,7.16.18605.0,2024-06-01T08:00:00Z,2024-07-19T09:05:00Z`,
].join('\r\n');

// Autopatch quality update status report, default columns only (formats.md 3.1): no time column.
const AUTOPATCH = [
  'Device name,Deployment ring,Update status,Pause status,Current version,Readiness,Alerts',
  'PC-1,Modern Workplace Devices-Windows Autopatch-Fast,Up to date,Not paused,10.0.22631.3880,Ready,',
  'PC-2,Modern Workplace Devices-Windows Autopatch-First,Up to date,Not paused,10.0.22631.3880,Ready,',
].join('\r\n');

// Get-WinEvent | Export-Csv: Properties collapses to a type name, so 41 carries no BugcheckCode.
const PROPS = '"System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"';
const MSG41 = '"The system has rebooted without cleanly shutting down first."';
const ev = (host: string, id: number, t: string) =>
  `${MSG41},${id},Microsoft-Windows-Kernel-Power,${host},${t},${PROPS}`;
const EVENTS = [
  'Message,Id,ProviderName,MachineName,TimeCreated,Properties',
  // PC-1: three unclean restarts within an hour from inside the window: a boot loop.
  ev('PC-1', 41, '2024-07-19T04:31:00Z'),
  ev('PC-1', 41, '2024-07-19T04:34:00Z'),
  ev('PC-1', 41, '2024-07-19T04:38:00Z'),
  // PC-2: one unclean restart in the window: not enough.
  ev('PC-2', 41, '2024-07-19T04:40:00Z'),
  // PC-3: three unclean restarts, but spread over three hours: not a loop.
  ev('PC-3', 41, '2024-07-19T04:45:00Z'),
  ev('PC-3', 41, '2024-07-19T06:00:00Z'),
  ev('PC-3', 41, '2024-07-19T07:30:00Z'),
].join('\r\n');

describe('evidence from default-column exports', () => {
  it('takes an Autopatch default-column report as of the date in its name, rings kept, nothing rejected', async () => {
    const ws = await emptyWorkspace();
    const [, ap] = await importFiles(ws, [
      inputFromBytes('falcon.csv', FALCON),
      inputFromBytes('QualityUpdateStatus_2024-07-19_0912.csv', AUTOPATCH),
    ]);
    expect(ap!.rejected).toBe(0);
    expect(ap!.imported).toBe(2);
    expect(ap!.notes.join(' ')).toMatch(/as of 2024-07-19 09:12 UTC, from the file name/);
    const rings = ws.db.all<{ hostname: string; ring: string }>('SELECT hostname, ring FROM devices ORDER BY hostname');
    expect(rings.slice(0, 2).map((r) => r.ring)).toEqual(['Fast', 'First']);
  });

  it('without any as-of time, the error names no internal field', async () => {
    const ws = await emptyWorkspace();
    const [ap] = await importFiles(ws, [inputFromBytes('report.csv', AUTOPATCH)]);
    expect(ap!.rejected).toBe(2);
    expect(ap!.errors[0]!.field).not.toMatch(/timestamp_utc/);
    expect(ap!.errors[0]!.message).toMatch(/no time column/);
  });

  it('counts a burst of 41s without a stop code as a boot loop, and not one restart or a spread-out three', async () => {
    const ws = await emptyWorkspace();
    await importFiles(ws, [inputFromBytes('falcon.csv', FALCON), inputFromBytes('events.csv', EVENTS)]);
    const st = Object.fromEntries(
      ws.db
        .all<{ hostname: string; state: string; state_rule: string }>('SELECT hostname, state, state_rule FROM devices')
        .map((r) => [r.hostname, r]),
    );
    expect(st['PC-1']!.state).not.toBe('exposed_healthy');
    expect(st['PC-1']!.state_rule).toMatch(/boot loop from 04:31: 3 unclean restarts/);
    expect(st['PC-2']!.state).toBe('exposed_healthy');
    expect(st['PC-3']!.state).toBe('exposed_healthy');
  });
});
