// `npm run bench [-- --sizes 100k,1m] [--quick] [--sections import,search]`: sample CSVs → real import (sql.js) → queries, against the sqlite3 CLI.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeSampleFiles } from '../../electron/cli/sample.js';
import { watchMemory } from './memory.js';
import type { BenchContext, BenchRow, BenchSection, GeneratedFile } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SEED = 1907;

interface SizeResult {
  label: string;
  devices: number;
  events: number;
  files: GeneratedFile[];
  rows: BenchRow[];
  notes: string[];
  skipped: Array<{ section: string; reason: string }>;
  /** Peak RSS of the product's paths: the import and the streamed save (db.export(), measured last, excluded). */
  peakRssMiB: number;
  /** Peak RSS at the end, db.export() included when the save section ran. */
  peakRssAllMiB: number;
  ok: boolean;
}

function parseSize(text: string): number {
  const m = /^(\d+)(k|m)?$/i.exec(text.trim());
  if (!m) throw new Error(`bad size '${text}': use a number or 100k / 1m`);
  return Number(m[1]) * (m[2] ? (m[2].toLowerCase() === 'k' ? 1000 : 1_000_000) : 1);
}

async function loadSections(): Promise<BenchSection[]> {
  const dir = path.join(here, 'sections');
  const out: BenchSection[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.ts'))
    .sort()) {
    // A section that fails to load (someone's work in progress) is reported and skipped, not fatal to the run.
    try {
      const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { default?: BenchSection };
      if (mod.default?.run) out.push(mod.default);
      else console.error(`bench: ${f} has no default-exported section; skipped`);
    } catch (err) {
      console.error(`bench: could not load section ${f}: ${(err as Error).message}`);
    }
  }
  return out.sort((a, b) => a.order - b.order);
}

const fmt = (v: number, unit: string) =>
  unit === '×' ? v.toFixed(2) : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);

function table(r: SizeResult): string {
  const head = ['section', 'metric', 'value', 'unit', 'detail'];
  const body = r.rows.map((x) => [x.section, x.metric, fmt(x.value, x.unit), x.unit, x.detail ?? '']);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(w[i]!) : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

/** One size, in this (child) process, so its peak memory is its own. */
async function runSize(label: string, quick: boolean, keep: boolean, only: string[] | null): Promise<SizeResult> {
  const devices = parseSize(label);
  const dir = mkdtempSync(path.join(os.tmpdir(), `ringside-bench-${label}-`));
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const skipped: SizeResult['skipped'] = [];
  const values = new Map<string, number>();
  const log = (t: string) => process.stderr.write(`${t}\n`);
  // Before sql.js loads: the import section reports its wasm heap and MEMFS files from this.
  watchMemory();
  let productPeak: number | null = null;
  try {
    log(`[${label}] generating ${devices.toLocaleString('en-US')} devices into ${dir}`);
    const t0 = performance.now();
    const { truth, files: written } = await writeSampleFiles(dir, { devices, seed: SEED });
    const files: GeneratedFile[] = written
      .filter((f) => f.file.endsWith('.csv'))
      .map((f) => ({ ...f, rows: truth.files[f.file] ?? 0 }));
    const ctx: BenchContext = {
      label,
      devices,
      dir,
      files,
      truth,
      ws: null,
      quick,
      metric(section, metric, value, unit, detail) {
        rows.push({ section, metric, value, unit, ...(detail ? { detail } : {}) });
        values.set(`${section}\u0000${metric}`, value);
      },
      get: (section, metric) => values.get(`${section}\u0000${metric}`),
      note: (t) => {
        notes.push(t);
        log(`[${label}] note: ${t}`);
      },
      peakRssMiB: () => process.resourceUsage().maxRSS / 1024,
      productPathsDone: () => {
        productPeak ??= process.resourceUsage().maxRSS / 1024;
      },
    };
    ctx.metric(
      'generate',
      'sample files',
      performance.now() - t0,
      'ms',
      `${files.map((f) => `${f.file} ${(f.bytes / (1 << 20)).toFixed(0)} MiB`).join(', ')}`,
    );
    ctx.metric(
      'generate',
      'devices / events',
      devices,
      'devices',
      `${truth.events.toLocaleString('en-US')} events (${(truth.events / devices).toFixed(2)} per device), ${truth.keys.total} keys`,
    );
    let ok = true;
    for (const s of await loadSections()) {
      // --sections runs only the sections named (a 1 M run of one section still needs the import before it).
      const reason = only && !only.includes(s.name) ? 'not in --sections' : (s.skip?.(ctx) ?? null);
      if (reason) {
        skipped.push({ section: s.name, reason });
        notes.push(`skipped ${s.name}: ${reason}`);
        log(`[${label}] skipped ${s.name}: ${reason}`);
        continue;
      }
      log(`[${label}] ${s.name}…`);
      try {
        await s.run(ctx);
      } catch (err) {
        ok = false;
        ctx.note(`${s.name} failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
    ctx.ws?.db.close();
    return {
      label,
      devices,
      events: truth.events,
      files,
      rows,
      notes,
      skipped,
      peakRssMiB: productPeak ?? ctx.peakRssMiB(),
      peakRssAllMiB: ctx.peakRssMiB(),
      ok,
    };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      keep: { type: 'boolean' },
      sections: { type: 'string' },
      child: { type: 'string' },
      'result-file': { type: 'string' },
    },
  });
  if (values.child) {
    const only = values.sections ? values.sections.split(',').map((x) => x.trim()) : null;
    const r = await runSize(values.child, !!values.quick, !!values.keep, only);
    writeFileSync(values['result-file']!, JSON.stringify(r));
    return r.ok ? 0 : 1;
  }

  const sizes = values.quick ? ['20k'] : (values.sizes ?? '100k,1m').split(',').map((s) => s.trim().toLowerCase());
  for (const s of sizes) parseSize(s);
  const results: SizeResult[] = [];
  let status = 0;
  for (const label of sizes) {
    const resultFile = path.join(os.tmpdir(), `ringside-bench-${process.pid}-${label}.json`);
    // Each size in its own process: a clean heap, and maxRSS that belongs to that size alone.
    const args = [...process.execArgv, fileURLToPath(import.meta.url), '--child', label, '--result-file', resultFile];
    if (values.quick) args.push('--quick');
    if (values.keep) args.push('--keep');
    if (values.sections) args.push('--sections', values.sections);
    const code = await new Promise<number>((resolve) => {
      // Sections that do not depend on the size (the sample incident in Chromium) run only with the first one.
      const child = spawn(process.execPath, args, {
        stdio: 'inherit',
        env: { ...process.env, BENCH_FIRST_SIZE: sizes[0] },
      });
      child.on('exit', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
    });
    let r: SizeResult;
    try {
      r = JSON.parse(readFileSync(resultFile, 'utf8')) as SizeResult;
      rmSync(resultFile, { force: true });
    } catch {
      console.error(`[${label}] the bench process exited with ${code} before writing its results`);
      status = 1;
      continue;
    }
    if (code !== 0) status = 1;
    results.push(r);
    console.log(
      `\n== ${r.label}: ${r.devices.toLocaleString('en-US')} devices, ${r.events.toLocaleString('en-US')} rollout events; peak RSS ${Math.round(r.peakRssMiB)} MiB (import and streamed save; ${Math.round(r.peakRssAllMiB)} MiB with every section) ==`,
    );
    console.log(table(r));
    for (const n of r.notes) console.log(`  note: ${n.split('\n')[0]}`);
  }

  const out = values.out ?? path.join(process.cwd(), 'bench-results', 'bench.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        when: new Date().toISOString(),
        machine: {
          cpus: os.cpus().length,
          cpu: os.cpus()[0]?.model ?? '',
          memGiB: Math.round(os.totalmem() / 2 ** 30),
          node: process.version,
          platform: `${os.platform()} ${os.release()}`,
        },
        seed: SEED,
        sizes: results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${out}`);
  return status;
}

process.exitCode = await main();
