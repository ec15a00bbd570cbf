// The indexes a bulk batch drops and builds again: each build timed under `index:<name>`, and the host key index
// built before the batch's end only when events wait for their device.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFiles } from '../../../../core/ingest/index.js';
import { sampleImportInput, type SampleExportName } from '../../../../core/sample/index.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

// Enough devices that every file of the batch is a bulk load into the empty workspace (core/ingest/bulk.ts isBulk).
const OPTS = { devices: 6000, seed: 31 };
const FALCON_HEADER =
  'Hostname,Host ID,Serial Number,Platform,OS Version,OS Build,Product Type,Sensor Version,First Seen,Last Seen,Site,Host Groups,Tags,Last Logged In User,Status';
const open = async () =>
  openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });
const hasIndex = (ws: Workspace, name: string) =>
  ws.db.value<number>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?", [name]) === 1;

/** Imports the files as one batch; `during(file)` runs as each file's reading starts. */
async function batch(ws: Workspace, names: SampleExportName[], during?: (file: string) => void) {
  const timings: Record<string, number> = {};
  let file = '';
  await importFiles(
    ws,
    names.map((n) => sampleImportInput(n, OPTS)),
    {
      timings,
      onProgress: (p) => {
        const now = names.find((n) => p.phase.startsWith(`${n}: `)) ?? '';
        if (now && now !== file) during?.((file = now));
      },
    },
  );
  return timings;
}

describe('index rebuilds of a bulk batch', () => {
  it('times each index it builds again, and the fact sync’s parts', async () => {
    const ws = await open();
    const timings = await batch(ws, ['falcon-hosts.csv', 'intune-devices.csv', 'rollout-events.csv']);
    // What a bulk load drops (core/ingest/bulk.ts): every index of devices and device_sources but the superseded
    // index (the load reads it) and the primary keys; and the event index. (The facts' device index no longer: event
    // facts are read from the events in place since migration 35, so a batch of events writes no stored fact.)
    const rebuilt = [
      'ix_device_sources_device',
      'ix_devices_eff_ring',
      'ix_devices_host_key',
      'ix_devices_hostname',
      'ix_devices_serial_key',
      'ix_devices_site',
      'ix_devices_state',
      'ux_devices_entra',
      'ux_devices_falcon',
      'ux_devices_intune',
      'ix_events_device_ts',
    ];
    const keys = Object.keys(timings);
    expect(keys.filter((k) => k.startsWith('index:')).sort()).toEqual(rebuilt.map((n) => `index:${n}`).sort());
    for (const name of rebuilt) {
      expect(timings[`index:${name}`]).toBeGreaterThanOrEqual(0);
      expect(hasIndex(ws, name)).toBe(true);
    }
    expect(keys).toEqual(expect.arrayContaining(['facts:orphans', 'facts:scan', 'facts:rings']));
    // The step totals the bench has always printed are still there.
    expect(keys).toEqual(expect.arrayContaining(['search', 'facts', 'evidence', 'states', 'indexes']));
    expect(ws.db.value('PRAGMA integrity_check')).toBe('ok');
  }, 120_000);

  it('builds the host key index once, at the batch’s end, when no event waits for its device', async () => {
    const ws = await open();
    const seen: Record<string, boolean> = {};
    await batch(ws, ['falcon-hosts.csv', 'intune-devices.csv', 'rollout-events.csv'], (file) => {
      seen[file] = hasIndex(ws, 'ix_devices_host_key');
    });
    // Dropped by the falcon file and not built again after either fleet file: there were no events to link.
    expect(seen['intune-devices.csv']).toBe(false);
    expect(seen['rollout-events.csv']).toBe(false);
    expect(hasIndex(ws, 'ix_devices_host_key')).toBe(true);
  }, 120_000);

  it('builds it again before linking when events wait, though an earlier file of the batch dropped it', async () => {
    const ws = await open();
    const seen: Record<string, boolean> = {};
    // The falcon export drops the index and leaves it for the batch's end (no events yet). An event of a host no
    // file has named waits for its device; a second fleet file names it: its load is small (drops nothing) and finds
    // the index gone, so the index comes back for that link, before the keys file.
    const late = inputFromBytes(
      'late-events.csv',
      'timestamp_utc,source,device_key,hostname_raw,ring,package,version_from,version_to,state,error_code_hex,detail\r\n' +
        '2024-07-19T04:10:00Z,falcon,fedcba9876543210fedcba9876543210,LATE-HOST-1,Broad,,,,online,,\r\n',
    );
    const host = inputFromBytes(
      'late-host.csv',
      `${FALCON_HEADER}\r\nLATE-HOST-1,fedcba9876543210fedcba9876543210,SN-LATE-1,Windows,Windows 11,22631,Workstation,` +
        '7.16.18605.0,2024-01-02T00:00:00Z,2024-07-23T10:00:00Z,LON,"Ring - Broad",,alice,Online\r\n',
    );
    const waiting = () =>
      ws.db.value<number>('SELECT COUNT(*) FROM events WHERE device_id IS NULL AND host_key IS NOT NULL')!;
    const files = [
      sampleImportInput('falcon-hosts.csv', OPTS),
      late,
      host,
      sampleImportInput('bitlocker-keys.csv', OPTS),
    ];
    let file = '';
    const reports = await importFiles(ws, files, {
      onProgress: (p) => {
        const now = files.find((f) => p.phase.startsWith(`${f.name}: `))?.name ?? '';
        if (now && now !== file) seen[(file = now)] = hasIndex(ws, 'ix_devices_host_key');
        if (now === 'late-host.csv') seen.waiting ||= waiting() > 0;
      },
    });
    expect(reports.map((r) => r.imported)).toEqual([expect.any(Number), 1, 1, expect.any(Number)]);
    expect(seen['late-events.csv']).toBe(false);
    expect(seen.waiting).toBe(true);
    expect(seen['bitlocker-keys.csv']).toBe(true);
    expect(waiting()).toBe(0);
    // Every event whose host is now a device found it.
    expect(
      ws.db.value(`SELECT COUNT(*) FROM events e WHERE e.device_id IS NULL
        AND EXISTS (SELECT 1 FROM devices d WHERE d.host_key = e.host_key AND d.superseded_by IS NULL)`),
    ).toBe(0);
    expect(ws.db.value('PRAGMA integrity_check')).toBe('ok');
  }, 120_000);
});
