// Bench section: import the generated CSVs through the real import path (importFile, real sql.js on Node).
import { importFile } from '../../../core/ingest/index.js';
import { openWorkspace } from '../../../core/workspace.js';
import { fileInput } from '../../../electron/cli/import.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { timed, type BenchSection } from '../types.js';

const MiB = 1 << 20;

const section: BenchSection = {
  name: 'import',
  order: 10,
  async run(ctx) {
    const ws = await openWorkspace({
      SQL: await loadSqlJs(),
      keyMaterial: new Uint8Array(32).fill(7),
      now: () => Date.UTC(2024, 6, 24),
      actor: 'bench',
    });
    let totalMs = 0;
    let totalRows = 0;
    let totalBytes = 0;
    let totalCpu = 0;
    for (const f of ctx.files) {
      let phase = '';
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const { ms, value: r } = await timed(async () =>
        importFile(ws, await fileInput(f.path), {
          onProgress: (p) => {
            // Long phases (index rebuilds, state recompute) show up as they start, so a slow step is visible.
            if (p.phase !== phase) {
              phase = p.phase;
              process.stderr.write(`    ${f.file}: ${phase} (+${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
            }
          },
        }),
      );
      const cpu = process.cpuUsage(cpu0);
      totalMs += ms;
      totalCpu += (cpu.user + cpu.system) / 1000;
      totalRows += r.rows;
      totalBytes += f.bytes;
      const s = ms / 1000;
      // CPU time beside wall time: on a shared machine the wall clock also counts other people's work.
      ctx.metric(
        'import',
        `${f.file} time`,
        ms,
        'ms',
        `${r.rows} rows, ${(f.bytes / MiB).toFixed(1)} MiB, CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms`,
      );
      ctx.metric('import', `${f.file} cpu`, (cpu.user + cpu.system) / 1000, 'ms', 'CPU time of this process');
      ctx.metric('import', `${f.file} rows/s`, r.rows / s, 'rows/s', `${(f.bytes / MiB / s).toFixed(1)} MiB/s`);
      if (r.rows !== f.rows || r.rejected > 0)
        ctx.note(`import: ${f.file} gave ${r.rows} rows (${r.rejected} rejected); the generator wrote ${f.rows}`);
    }
    ctx.metric(
      'import',
      'end to end time',
      totalMs,
      'ms',
      `${ctx.files.length} files, ${totalRows} rows, CPU ${Math.round(totalCpu)} ms`,
    );
    ctx.metric('import', 'end to end cpu', totalCpu, 'ms', 'CPU time of this process');
    ctx.metric(
      'import',
      'end to end rows/s',
      totalRows / (totalMs / 1000),
      'rows/s',
      `${(totalBytes / MiB / (totalMs / 1000)).toFixed(1)} MiB/s`,
    );
    ctx.metric('import', 'peak RSS after import', ctx.peakRssMiB(), 'MiB');
    const pageCount = ws.db.value<number>('PRAGMA page_count') ?? 0;
    const pageSize = ws.db.value<number>('PRAGMA page_size') ?? 0;
    ctx.metric('import', 'database size', (pageCount * pageSize) / MiB, 'MiB');
    ctx.ws = ws;
  },
};
export default section;
