// Measures Ringside's own XLSX import on a 100k-row Intune sheet: wall time and peak RSS of a fresh process (`npx tsx test/bench/xlsx/import.ts`; READ_ONLY=1 measures the sheet reader alone, rows dropped).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as XLSX from '@e965/xlsx';
import { inputFromBytes } from '../../../core/contract/ingest.js';
import { importFile } from '../../../core/ingest/index.js';
import { readXlsx } from '../../../core/ingest/readers/xlsx.js';
import { openWorkspace } from '../../../core/workspace.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';

const ROWS = Number(process.env.ROWS ?? 100_000);
const file = join(tmpdir(), `ringside-xlsx-import-bench-${ROWS}.xlsx`);

if (!existsSync(file)) {
  const aoa: unknown[][] = [
    ['Device name', 'Serial number', 'Last check-in', 'Primary user UPN', 'OS', 'OS version', 'Model', 'Notes'],
  ];
  for (let i = 0; i < ROWS; i++)
    aoa.push([
      `PC-${String(i).padStart(6, '0')}`,
      `5CD${i}XYZ`,
      new Date(Date.UTC(2024, 6, 19, 4, i % 60)),
      `user${i}@corp.example`,
      'Windows',
      '10.0.19045.4651',
      'EliteBook 840',
      i % 7 ? '' : 'note',
    ]);
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa, { cellDates: true }), 'Devices');
  writeFileSync(file, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }));
  console.log(`wrote ${file}; run again to measure in a fresh process`);
  process.exit(0);
}

const bytes = new Uint8Array(readFileSync(file));
if (process.env.READ_ONLY) {
  const base = process.memoryUsage().rss;
  const t0 = performance.now();
  let rows = 0;
  const sink = { header: () => true, rows: (_: string[][], __: number[], n: number) => void (rows += n) };
  await readXlsx(bytes, 'bench.xlsx', sink, []);
  console.log(
    JSON.stringify({
      readOnly: true,
      rows,
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
      rssBeforeMiB: Math.round(base / 2 ** 20),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  process.exit(0);
}
const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7) });
const base = process.memoryUsage().rss;
const t0 = performance.now();
const r = await importFile(ws, inputFromBytes('bench.xlsx', bytes));
const ms = performance.now() - t0;
console.log(
  JSON.stringify({
    rows: r.rows,
    imported: r.imported,
    format: r.format,
    fileMiB: +(bytes.byteLength / 2 ** 20).toFixed(1),
    seconds: +(ms / 1000).toFixed(1),
    rssBeforeMiB: Math.round(base / 2 ** 20),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
