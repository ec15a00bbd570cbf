// The mutation score per module, from each module's last Stryker JSON report (reports/mutation/<slug>.json).
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { MODULES, reportFile } from './modules.mjs';

const KILLED = new Set(['Killed', 'Timeout']);
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

/** The score (killed + timeout over all counted mutants) of one module in a Stryker JSON report or incremental file. */
export function scoreOf(file, files) {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  let counted = 0;
  let killed = 0;
  for (const f of files)
    for (const mu of report.files[f]?.mutants ?? []) {
      if (!COUNTED.has(mu.status)) continue;
      counted++;
      if (KILLED.has(mu.status)) killed++;
    }
  return counted ? (100 * killed) / counted : undefined;
}

/** Prints one row per module with a report; `seconds` (slug → wall time of this run) adds a time column. Returns the
 * score per module slug (undefined where there is no report). */
export function printTable(seconds = {}) {
  const rows = [];
  const scores = {};
  for (const m of MODULES) {
    const file = reportFile(m.slug);
    if (!existsSync(file)) {
      rows.push([m.name, '-', '-', '-', '-', '-', 'not run', '']);
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8'));
    const n = { counted: 0, killed: 0, survived: 0, noCov: 0 };
    for (const f of m.files)
      for (const mu of report.files[f]?.mutants ?? []) {
        if (!COUNTED.has(mu.status)) continue;
        n.counted++;
        if (KILLED.has(mu.status)) n.killed++;
        if (mu.status === 'Survived') n.survived++;
        if (mu.status === 'NoCoverage') n.noCov++;
      }
    if (n.counted) scores[m.slug] = (100 * n.killed) / n.counted;
    const score = n.counted ? `${((100 * n.killed) / n.counted).toFixed(1)} %` : '-';
    const t = seconds[m.slug] === undefined ? '' : `${seconds[m.slug]} s`;
    rows.push([m.name, m.slug, n.counted, n.killed, n.survived, n.noCov, score, t]);
  }
  const head = ['module', 'slug', 'mutants', 'killed', 'survived', 'no cover', 'score', 'this run'];
  const all = [head, ...rows].map((r) => r.map(String));
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  for (const [i, r] of all.entries()) {
    console.log(r.map((c, j) => (j > 1 ? c.padStart(w[j]) : c.padEnd(w[j]))).join('  '));
    if (i === 0) console.log(w.map((x) => '-'.repeat(x)).join('  '));
  }
  return scores;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printTable();
