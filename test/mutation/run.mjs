// `npm run test:mutation [slug...]`: runs Stryker on each module in turn (all by default), then prints the score table.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { MODULES, incrementalFile } from './modules.mjs';
import { printTable, scoreOf } from './score-table.mjs';

// --ci: only the modules with a committed baseline (a clean clone's run stays incremental). It fails when a module
// falls below the target, or, for a module whose baseline is below it already, below its baseline.
const ci = process.argv.includes('--ci');
const TARGET = 85;
const wanted = process.argv.slice(2).filter((a) => a !== '--ci');
const unknown = wanted.filter((s) => !MODULES.some((m) => m.slug === s));
if (unknown.length) {
  console.error(`unknown module ${unknown.join(', ')}: one of ${MODULES.map((m) => m.slug).join(', ')}`);
  process.exit(2);
}
// In the order asked for (all modules in table order by default).
const runs = (wanted.length ? wanted.map((s) => MODULES.find((m) => m.slug === s)) : MODULES).filter(
  (m) => !ci || existsSync(incrementalFile(m.slug)),
);
const seconds = {};
const baseline = Object.fromEntries(runs.map((m) => [m.slug, scoreOf(incrementalFile(m.slug), m.files)]));
let failed = 0;
for (const m of runs) {
  console.log(`\n== mutation testing: ${m.name} (${m.files.join(', ')})`);
  const t0 = Date.now();
  const r = spawnSync('npx', ['stryker', 'run', 'test/mutation/stryker.config.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, RINGSIDE_MUTATION_MODULE: m.slug },
  });
  seconds[m.slug] = Math.round((Date.now() - t0) / 1000);
  // Stryker records the checkout's absolute path; the committed file must not name one machine's folders.
  const inc = incrementalFile(m.slug);
  if (existsSync(inc)) {
    const report = JSON.parse(readFileSync(inc, 'utf8'));
    report.projectRoot = '.';
    writeFileSync(inc, `${JSON.stringify(report, null, 2)}\n`);
  }
  if (r.status !== 0) {
    failed++;
    console.error(`stryker failed on ${m.slug} (exit ${r.status ?? r.signal})`);
  }
}
console.log('');
const scores = printTable(seconds);
if (ci) {
  const floor = (m) => Math.min(TARGET, baseline[m.slug] ?? TARGET) - 1e-9;
  const low = runs.filter((m) => !(scores[m.slug] >= floor(m)));
  for (const m of low)
    console.error(`mutation score of ${m.slug} (${scores[m.slug]?.toFixed(1)} %) is below ${floor(m).toFixed(1)} %`);
  if (low.length) failed++;
}
process.exit(failed ? 1 : 0);
