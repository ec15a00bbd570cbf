// Measures the two ways to write a 100k-row tracker (frozen header, autofilter, list validation): SheetJS plus Ringside's XML additions, and exceljs (`npx tsx test/bench/xlsx/write.ts sheetjs|exceljs`).
import { performance } from 'node:perf_hooks';
import { writeWorkbook } from '../../../core/analysis/workbook.js';
import { TRACKER_HEADER } from '../../../core/field/tracker.js';

const ROWS = Number(process.env.ROWS ?? 100_000);
const header = [...TRACKER_HEADER];
const rows = Array.from({ length: ROWS }, (_, i) => [
  i + 1,
  `PC-${String(i).padStart(6, '0')}`,
  `S${i % 40}`,
  ['Test', 'Fast', 'Broad'][i % 3]!,
  'Needs hands-on fix',
  i % 5 ? '' : 'fixed',
  '',
  '',
  `${String(i).padStart(8, '0')}-aaaa-bbbb-cccc-000000000000`,
  `5CD${i}XYZ`,
]);
const values = ['fixed', 'in_progress', 'failed', 'needs_reimage', 'not_found', 'deferred'];
const mode = process.argv[2] ?? 'sheetjs';
const t0 = performance.now();
let bytes = 0;
if (mode === 'sheetjs') {
  bytes = writeWorkbook([
    { name: 'Tracker', header, rows, freezeHeader: true, filter: true, lists: [{ column: 5, values }] },
  ]).byteLength;
} else {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Tracker', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  ws.autoFilter = { from: 'A1', to: `J${ROWS + 1}` };
  // One range rule, not one per cell (exceljs keeps validations by address; the range form is its cheapest).
  (ws as unknown as { dataValidations: { add(a: string, v: unknown): void } }).dataValidations.add(`F2:F${ROWS + 1}`, {
    type: 'list',
    allowBlank: true,
    formulae: [`"${values.join(',')}"`],
  });
  bytes = (await wb.xlsx.writeBuffer()).byteLength;
}
console.log(
  JSON.stringify({
    mode,
    rows: ROWS,
    seconds: +((performance.now() - t0) / 1000).toFixed(1),
    fileMiB: +(bytes / 2 ** 20).toFixed(1),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
