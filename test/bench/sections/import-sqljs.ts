// Bench section: import the generated CSVs through the real import path (importFiles, real sql.js on Node).
import { importFiles } from '../../../core/ingest/index.js';
import { openWorkspace } from '../../../core/workspace.js';
import { fileInput } from '../../../electron/cli/import.js';
import type { HostFile } from '../../../core/store/db.js';
import { backTempFiles, workDir } from '../../../electron/node/host-file.js';
import { diskReader } from '../../../electron/node/read-thread.js';
import { useNodeChunkDeflate } from '../../../electron/node/chunk-deflate.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { mainThreadCpuMs } from '../measure.js';
import { memoryParts } from '../memory.js';
import { timed, type BenchSection } from '../types.js';

const MiB = 1 << 20;

/** The host files' calls (the working database's, SQLite's temp files'): how many, how many bytes, how long. */
type Io = { reads: number; readBytes: number; readMs: number; writes: number; writeBytes: number; writeMs: number };
const newIo = (): Io => ({ reads: 0, readBytes: 0, readMs: 0, writes: 0, writeBytes: 0, writeMs: 0 });
const io = { db: newIo(), temp: newIo() };
function counted(f: HostFile, c: Io): HostFile {
  const t = <T>(fn: () => T, key: 'readMs' | 'writeMs'): T => {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      c[key] += performance.now() - t0;
    }
  };
  return {
    ...f,
    read: (into, p) => (c.reads++, (c.readBytes += into.byteLength), t(() => f.read(into, p), 'readMs')),
    write: (b, p) => (c.writes++, (c.writeBytes += b.byteLength), t(() => f.write(b, p), 'writeMs')),
  };
}
const ioText = (c: Io) =>
  `${c.reads} reads, ${(c.readBytes / MiB).toFixed(0)} MiB, ${Math.round(c.readMs)} ms; ${c.writes} writes, ${(c.writeBytes / MiB).toFixed(0)} MiB, ${Math.round(c.writeMs)} ms`;

const section: BenchSection = {
  name: 'import',
  order: 10,
  async run(ctx) {
    const SQL = await loadSqlJs();
    // Raw rows compressed as the CLI compresses them.
    useNodeChunkDeflate();
    // The working database on disk, as the CLI keeps it (BENCH_BACKED=0: in sql.js's memory, for comparison).
    const backed = process.env.BENCH_BACKED !== '0';
    if (backed) {
      const dir = workDir();
      const temp = dir.tempFile.bind(dir);
      dir.tempFile = () => counted(temp(), io.temp);
      backTempFiles(SQL, dir);
    }
    const ws = await openWorkspace({
      SQL,
      backing: backed ? counted(workDir().newDatabase(), io.db) : null,
      keyMaterial: new Uint8Array(32).fill(7),
      now: () => Date.UTC(2024, 6, 24),
      actor: 'bench',
    });
    // BENCH_CACHE_MIB: a page cache other than SQLite's default 2 MiB, to see what cache misses cost.
    if (process.env.BENCH_CACHE_MIB) ws.db.run(`PRAGMA cache_size = ${-Number(process.env.BENCH_CACHE_MIB) * 1024}`);
    // One batch, as `ringside import` and the import view run it: per-file times come from the progress phases.
    const inputs = await Promise.all(ctx.files.map((f) => fileInput(f.path)));
    const marks: { file: string; at: number; cpu: number; main: number | null }[] = [];
    let phase = '';
    const t0 = performance.now();
    // How much of the peak is the JS heap (device index, parsed rows); the rest is mostly the sql.js database file.
    const mem = { heap: 0 };
    const sample = () => {
      mem.heap = Math.max(mem.heap, process.memoryUsage().heapUsed);
    };
    const sampler = setInterval(sample, 500);
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpuMs();
    const cpuMs = () => {
      const c = process.cpuUsage(cpu0);
      return (c.user + c.system) / 1000;
    };
    // Two threads, as `ringside import` runs it (BENCH_READ_THREAD=0: the single-thread path, for comparison).
    const reader = process.env.BENCH_READ_THREAD === '0' ? null : diskReader();
    // Milliseconds per step of the batch's end (search index, each analysis phase, index rebuilds), for its row.
    const steps: Record<string, number> = {};
    const { ms: totalMs, value: reports } = await timed(() =>
      importFiles(ws, inputs, {
        timings: steps,
        ...(reader ? { reader: reader.read, chunks: reader.chunks } : {}),
        onProgress: (p) => {
          // Long phases (index rebuilds, state recompute) show up as they start, so a slow step is visible.
          if (p.phase === phase) return;
          phase = p.phase;
          const file = ctx.files.find((f) => phase.startsWith(`${f.file}: `))?.file ?? '(batch)';
          if (marks.at(-1)?.file !== file)
            marks.push({ file, at: performance.now(), cpu: cpuMs(), main: mainThreadCpuMs() });
          process.stderr.write(`    ${phase} (+${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
        },
      }).finally(() => reader?.close()),
    );
    const totalCpu = cpuMs();
    clearInterval(sampler);
    sample();
    marks.push({ file: '(end)', at: performance.now(), cpu: totalCpu, main: mainThreadCpuMs() });
    for (let i = 0; i + 1 < marks.length; i++) {
      const m = marks[i]!;
      const ms = marks[i + 1]!.at - m.at;
      const cpu = marks[i + 1]!.cpu - m.cpu;
      const f = ctx.files.find((x) => x.file === m.file);
      const r = reports.find((x) => x.file === m.file);
      const label = f ? f.file : 'analysis and indexes (once per batch)';
      // CPU time beside wall time: on a shared machine the wall clock also counts other people's work.
      ctx.metric(
        'import',
        `${label} time`,
        ms,
        'ms',
        f && r
          ? `${r.rows} rows, ${(f.bytes / MiB).toFixed(1)} MiB, CPU ${Math.round(cpu)} ms`
          : `CPU ${Math.round(cpu)} ms; ${Object.entries(steps)
              .filter(([k]) => !k.includes(':'))
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')} ms`,
      );
      ctx.metric('import', `${label} cpu`, cpu, 'ms', 'CPU time of this process');
      const main = marks[i + 1]!.main;
      // The sql.js thread is the import's bottleneck: its own CPU, apart from the reading thread's.
      if (main !== null && m.main !== null)
        ctx.metric('import', `${label} sql.js thread cpu`, main - m.main, 'ms', 'CPU time of the main thread alone');
      if (f && r)
        ctx.metric(
          'import',
          `${label} rows/s`,
          r.rows / (ms / 1000),
          'rows/s',
          `${(f.bytes / MiB / (ms / 1000)).toFixed(1)} MiB/s`,
        );
    }
    // The parts of the batch end's steps, one row each: every index built again (`index:<name>`, summed over the
    // batch's files) and the fact copy's sub-steps (`facts:<step>`), largest first.
    for (const [k, v] of Object.entries(steps)
      .filter(([k]) => k.includes(':'))
      .sort((a, b) => b[1] - a[1]))
      ctx.metric(
        'import',
        `batch end ${k}`,
        v,
        'ms',
        k.startsWith('index:') ? 'index build' : 'part of the facts step',
      );
    let totalRows = 0;
    let totalBytes = 0;
    for (const f of ctx.files) {
      const r = reports.find((x) => x.file === f.file);
      totalRows += r?.rows ?? 0;
      totalBytes += f.bytes;
      if (!r || r.rows !== f.rows || r.rejected > 0)
        ctx.note(
          `import: ${f.file} gave ${r?.rows ?? 0} rows (${r?.rejected ?? 0} rejected); the generator wrote ${f.rows}`,
        );
    }
    ctx.metric(
      'import',
      'end to end time',
      totalMs,
      'ms',
      `${ctx.files.length} files, ${totalRows} rows, CPU ${Math.round(totalCpu)} ms`,
    );
    ctx.metric(
      'import',
      'end to end cpu',
      totalCpu,
      'ms',
      `CPU time of this process, both threads (${reader ? 'reading thread + sql.js thread' : 'one thread'})`,
    );
    const main1 = marks.at(-1)!.main;
    if (main0 !== null && main1 !== null)
      ctx.metric('import', 'end to end sql.js thread cpu', main1 - main0, 'ms', 'CPU time of the main thread alone');
    ctx.metric(
      'import',
      'end to end rows/s',
      totalRows / (totalMs / 1000),
      'rows/s',
      `${(totalBytes / MiB / (totalMs / 1000)).toFixed(1)} MiB/s`,
    );
    ctx.metric('import', 'peak RSS after import', ctx.peakRssMiB(), 'MiB');
    ctx.metric('import', 'peak JS heap used', mem.heap / MiB, 'MiB', 'sampled every 0.5 s');
    const pageCount = ws.db.value<number>('PRAGMA page_count') ?? 0;
    const pageSize = ws.db.value<number>('PRAGMA page_size') ?? 0;
    ctx.metric('import', 'database size', (pageCount * pageSize) / MiB, 'MiB');
    const inMemory = (ws.db.raw as { ringsideMemoryBytes?: () => number }).ringsideMemoryBytes?.() ?? 0;
    ctx.metric(
      'import',
      'database file in memory',
      inMemory / MiB,
      'MiB',
      backed ? 'the image is in a working file on disk' : 'the image is in MEMFS',
    );
    if (backed)
      ctx.metric(
        'import',
        'host file I/O time',
        io.db.readMs + io.db.writeMs + io.temp.readMs + io.temp.writeMs,
        'ms',
        `working database: ${ioText(io.db)}; SQLite's temp files: ${ioText(io.temp)}`,
      );
    // The parts of the peak that are sql.js's: its wasm heap, the database file, and the other MEMFS files (the
    // sub-journal of the batch's per-file savepoints, the temp database, sort spills), each at its largest.
    const parts = memoryParts();
    ctx.metric(
      'import',
      'sql.js wasm heap',
      parts.wasmMiB,
      'MiB',
      'page cache, sorter, statements: its high-water, as wasm memory never shrinks',
    );
    // Backed, no MEMFS file holds the database: every file counted is a temp file or journal left in memory.
    const [dbFile = 0, ...others] = backed ? [0, ...parts.filesMiB] : parts.filesMiB;
    const big = others.filter((x) => x >= 8);
    ctx.metric(
      'import',
      'MEMFS files besides the database file',
      others.reduce((a, b) => a + b, 0),
      'MiB',
      `each at its largest: ${big.map((x) => Math.round(x)).join(', ') || 'none'} MiB${big.length < others.length ? ` and ${others.length - big.length} under 8 MiB` : ''}; ${backed ? 'the database file is on disk (host file)' : `the database file ${Math.round(dbFile)} MiB`}`,
    );
    ctx.ws = ws;
  },
};
export default section;
