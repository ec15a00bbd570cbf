// The modules whose mutation score is reported (and held to 85 %): per module, the files Stryker mutates and the
// narrow list of unit test files that exercise them. Vitest runs exactly these (no "related files" search, which
// pulls in slow suites such as the field-pack convergence test). Update both columns when a file moves.
export const MODULES = [
  {
    slug: 'quote',
    name: 'remediation quote',
    files: ['core/remediation/quote.ts'],
    tests: ['test/unit/core/remediation/validate.test.ts', 'test/unit/core/remediation/quote-rules.test.ts'],
  },
  {
    slug: 'validate',
    name: 'remediation validate',
    files: ['core/remediation/validate.ts'],
    tests: ['test/unit/core/remediation/validate.test.ts', 'test/unit/core/remediation/validate-rules.test.ts'],
  },
  {
    slug: 'csv',
    name: 'CSV writer',
    files: ['core/shared/csv.ts'],
    tests: ['test/unit/core/analysis/csv.test.ts', 'test/unit/core/analysis/csv-writer.test.ts'],
  },
  {
    slug: 'normalise',
    name: 'ingest normalise',
    files: ['core/ingest/normalize.ts', 'core/shared/hostname.ts'],
    tests: ['test/unit/core/ingest/normalise-rules.test.ts', 'test/unit/core/ingest/normalise-edges.test.ts'],
  },
  {
    slug: 'identity',
    name: 'ingest identity',
    // device-keys.ts is the key lookups (migration 26) and the identity load; lines 87-214 of device-writes.ts are the
    // device insert, merge and supersede statements identity.ts decides with; serial.ts is the serial rule, moved
    // there for the store's use.
    files: [
      'core/ingest/identity.ts',
      'core/shared/serial.ts',
      'core/store/device-keys.ts',
      'core/store/device-writes.ts:87-214',
    ],
    tests: [
      'test/unit/core/ingest/identity-rules.test.ts',
      'test/unit/core/ingest/identity-lookup.test.ts',
      'test/unit/core/ingest/identity-boundaries.test.ts',
      'test/unit/core/ingest/identity-match-edges.test.ts',
    ],
  },
  {
    slug: 'keys',
    name: 'ingest keys',
    // key-vault.ts: the chunk-sealed reveal (migration 23) decides which password a key row gets, or refuses it.
    files: ['core/ingest/keys.ts', 'core/secrets/key-vault.ts'],
    tests: [
      'test/unit/core/ingest/formats.test.ts',
      'test/unit/core/ingest/keys-rules.test.ts',
      'test/unit/core/secrets/key-chunks.test.ts',
      'test/unit/core/secrets/key-vault-rules.test.ts',
    ],
  },
  {
    slug: 'audit',
    name: 'audit',
    files: [
      'core/store/audit.ts',
      'core/store/audit-chain.ts',
      'core/store/audit-log.ts',
      'core/store/audit-verify.ts',
    ],
    tests: [
      'test/unit/core/store/audit-tamper.test.ts',
      'test/unit/core/store/audit-anchor-files.test.ts',
      'test/unit/core/store/audit.test.ts',
      'test/unit/core/store/audit-edges.test.ts',
      'test/unit/core/store/audit-verify-rules.test.ts',
      'test/unit/core/store/audit-log-rules.test.ts',
    ],
  },
  {
    slug: 'format',
    name: 'field format',
    files: ['core/field/format.ts'],
    // Pack round trips at a lowered iteration floor (milliseconds each); the suites that make packs with createPack
    // derive 600,000 iterations per pack and add nothing format-rules does not check.
    tests: ['test/unit/core/field/format-rules.test.ts'],
  },
  {
    slug: 'pack-life',
    name: 'field pack life (merge checks)',
    files: ['core/field/pack-life.ts'],
    tests: ['test/unit/core/field/pack-limits.test.ts', 'test/unit/core/field/pack-life-rules.test.ts'],
  },
  {
    slug: 'packs',
    name: 'field packs/merge',
    files: ['core/field/packs.ts', 'core/field/merge.ts'],
    // pack-payload-rules opens its packs (sealed at a lowered floor, milliseconds each). packs-convergence (50 import
    // orders, a minute or more) and packs.test.ts (five packs at 600,000 iterations, ~10 s a run, nothing on
    // packs.ts the payload rules do not check more closely) are not listed.
    tests: [
      'test/unit/core/field/pack-limits.test.ts',
      'test/unit/core/field/merge-checks.test.ts',
      'test/unit/core/field/merge-rules.test.ts',
      'test/unit/core/field/no-key.test.ts',
      'test/unit/core/field/pack-payload-rules.test.ts',
    ],
  },
  {
    slug: 'analysis',
    name: 'state analysis',
    // The state decision is SQL since the store split: store/evidence.ts (per-device evidence, the boot-loop rule)
    // and store/states.ts (exposure, outcome, state and its rule in words); recompute.ts runs them in order.
    files: [
      'core/analysis/config.ts',
      'core/analysis/rules.ts',
      'core/analysis/recompute.ts',
      'core/store/evidence.ts',
      'core/store/states.ts',
    ],
    tests: [
      'test/unit/core/analysis/config-rules.test.ts',
      'test/unit/core/analysis/rule-boundaries.test.ts',
      'test/unit/core/analysis/states.test.ts',
      'test/unit/core/analysis/time.test.ts',
      'test/unit/core/analysis/evidence-rules.test.ts',
      'test/unit/core/analysis/evidence.test.ts',
      'test/unit/core/analysis/exposure-window.test.ts',
      'test/unit/core/analysis/recompute-rules.test.ts',
      'test/unit/core/analysis/incremental.test.ts',
    ],
  },
  {
    slug: 'generate',
    name: 'remediation generate',
    // Lines 312-345 of store/devices.ts are forTarget, the device selection generate.ts decides with. The WinRE
    // decision test is not listed: its subject (the generated script) runs under Wine, and it takes minutes.
    files: ['core/remediation/generate.ts', 'core/store/devices.ts:312-345'],
    tests: [
      'test/unit/core/remediation/generate-rules.test.ts',
      'test/unit/core/remediation/environments.test.ts',
      'test/unit/core/remediation/playbooks.test.ts',
    ],
  },
  {
    slug: 'xlsx',
    name: 'XLSX writer',
    files: ['core/analysis/workbook.ts'],
    tests: ['test/unit/core/analysis/xlsx-writer.test.ts'],
  },
  {
    slug: 'gates',
    name: 'replay gates',
    files: ['core/replay/gates.ts'],
    tests: ['test/unit/core/replay/gates.test.ts'],
  },
];

/** The module named by RINGSIDE_MUTATION_MODULE (gates by default), or an error naming the known slugs. */
export function currentModule(env = process.env) {
  const slug = env.RINGSIDE_MUTATION_MODULE ?? 'gates';
  const mod = MODULES.find((m) => m.slug === slug);
  if (!mod) throw new Error(`unknown mutation module "${slug}" (one of ${MODULES.map((m) => m.slug).join(', ')})`);
  return mod;
}

/** Where a module's results live: its committed incremental file and its last JSON report. */
export const incrementalFile = (slug) => `test/mutation/incremental/${slug}.json`;
export const reportFile = (slug) => `reports/mutation/${slug}.json`;
