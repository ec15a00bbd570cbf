// Measures the two XLSX readers on one 100k-row sheet: wall time and peak RSS, each in a fresh process (`node libs.mjs`).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROWS = Number(process.env.ROWS ?? 100_000);
const file = join(tmpdir(), `ringside-xlsx-bench-${ROWS}.xlsx`);
const mode = process.argv[2];

async function make() {
  const XLSX = await import('@e965/xlsx');
  const aoa = [
    ['Hostname', 'Serial number', 'Site', 'Ring', 'Last seen', 'OS version', 'Model', 'User', 'Notes', 'Count'],
  ];
  for (let i = 0; i < ROWS; i++)
    aoa.push([
      `PC-${String(i).padStart(6, '0')}`,
      `5CD${i}XYZ`,
      `S${i % 40}`,
      ['Test', 'Fast', 'Broad'][i % 3],
      new Date(Date.UTC(2024, 6, 19, 4, i % 60)),
      '10.0.19045.4651',
      'EliteBook 840',
      `user${i}@corp.example`,
      i % 7 ? '' : 'note',
      i,
    ]);
  const ws = XLSX.utils.aoa_to_sheet(aoa, { cellDates: true });
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, 'Devices');
  writeFileSync(file, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }));
}

async function run() {
  const t0 = performance.now();
  let rows = 0;
  let cells = 0;
  if (mode === 'sheetjs') {
    const XLSX = await import('@e965/xlsx');
    const wb = XLSX.read(readFileSync(file), {
      type: 'buffer',
      dense: true,
      cellDates: false,
      cellHTML: false,
      cellText: false,
    });
    const ws = wb.Sheets[wb.SheetNames[0]];
    for (const row of ws['!data']) {
      rows++;
      if (row) for (const c of row) if (c) cells++;
    }
  } else if (mode === 'exceljs-stream') {
    const ExcelJS = (await import('exceljs')).default;
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
      sharedStrings: 'cache',
      styles: 'cache',
      worksheets: 'emit',
      hyperlinks: 'ignore',
    });
    for await (const ws of reader)
      for await (const row of ws) {
        rows++;
        cells += row.cellCount;
      }
  } else if (mode === 'exceljs') {
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    wb.worksheets[0].eachRow(() => {
      rows++;
    });
  }
  const ms = performance.now() - t0;
  const peak = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
  console.log(JSON.stringify({ mode, rows, cells, ms: Math.round(ms), peakMiB: Math.round(peak) }));
}

if (!mode) {
  if (!existsSync(file)) await make();
  console.log(`${file}: ${(readFileSync(file).byteLength / 1048576).toFixed(1)} MiB`);
  for (const m of ['sheetjs', 'exceljs-stream', 'exceljs'])
    process.stdout.write(
      execFileSync(process.execPath, [process.argv[1], m], { env: { ...process.env, ROWS: String(ROWS) } }),
    );
} else await run();
