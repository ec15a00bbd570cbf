// The import view's as-of question: asked only for status reports without a time column; typed times read strictly.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { isoMinute, parseIsoUtc } from '../../../../core/ingest/as-of.js';
import { importFiles, probeAsOf } from '../../../../core/ingest/index.js';
import { emptyWorkspace } from '../analysis/fixtures.js';

const AUTOPATCH = 'Device name,Deployment ring,Update status,Pause status,Current version,Readiness,Alerts';
const row = 'PC-1,Ring1,Up to date,Not paused,22631.3880,Ready,';

describe('probeAsOf', () => {
  it('an Autopatch default-column report: the time found in its name, then its modified time', async () => {
    const ws = await emptyWorkspace();
    const named = await probeAsOf(
      ws,
      inputFromBytes('QualityUpdateStatus_20240719_0912.csv', `${AUTOPATCH}\r\n${row}`),
    );
    expect(named).toEqual({ format: 'autopatch', found: { at: Date.UTC(2024, 6, 19, 9, 12), from: 'the file name' } });
    const mtime = Date.UTC(2024, 6, 20, 6, 0);
    const plain = await probeAsOf(ws, {
      ...inputFromBytes('report.csv', `${AUTOPATCH}\r\n${row}`),
      lastModified: mtime,
    });
    expect(plain).toEqual({ format: 'autopatch', found: { at: mtime, from: "the file's modified time" } });
    expect(await probeAsOf(ws, inputFromBytes('report.csv', `${AUTOPATCH}\r\n${row}`))).toEqual({
      format: 'autopatch',
      found: null,
    });
  });

  it('asks nothing of a report with its time column, a fleet list or an unreadable file', async () => {
    const ws = await emptyWorkspace();
    const timed = `${AUTOPATCH},Quality update Installed Time\r\n${row},2024-07-19T05:00:00Z`;
    expect(await probeAsOf(ws, inputFromBytes('QualityUpdateStatus_2024-07-19.csv', timed))).toBeNull();
    const falcon = 'Hostname,Host ID,Last Seen\r\nPC-1,' + '1'.repeat(32) + ',2024-07-19T05:00:00Z';
    expect(await probeAsOf(ws, inputFromBytes('falcon-2024-07-19.csv', falcon))).toBeNull();
    expect(await probeAsOf(ws, inputFromBytes('empty-2024-07-19.csv', ''))).toBeNull();
  });

  it('the time confirmed per file is the one its rows carry; the probe itself writes nothing', async () => {
    const ws = await emptyWorkspace();
    const a = inputFromBytes('QualityUpdateStatus_2024-07-19_0912.csv', `${AUTOPATCH}\r\n${row}`);
    await probeAsOf(ws, a);
    expect(ws.db.value<number>('SELECT COUNT(*) FROM imports')).toBe(0);
    const given = Date.UTC(2024, 6, 19, 10, 30);
    await importFiles(ws, [a], { asOfEach: [given] });
    expect(ws.db.value<number>('SELECT as_of FROM imports')).toBe(given);
  });
});

describe('parseIsoUtc', () => {
  it('reads UTC times and what isoMinute writes, and refuses anything else', () => {
    expect(parseIsoUtc('2024-07-19T09:12Z')).toBe(Date.UTC(2024, 6, 19, 9, 12));
    expect(parseIsoUtc(' 2024-07-19 09:12:30+00:00 ')).toBe(Date.UTC(2024, 6, 19, 9, 12, 30));
    expect(parseIsoUtc(isoMinute(Date.UTC(2024, 11, 31, 23, 59)))).toBe(Date.UTC(2024, 11, 31, 23, 59));
    for (const bad of ['2024-02-30T00:00Z', '2024-07-19T24:00Z', '2024-07-19T09:12:60Z', '2024-07-19', '09:12', ''])
      expect(parseIsoUtc(bad)).toBeNull();
  });
});
