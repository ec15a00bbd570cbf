// The modules whose mutation score is reported (and held to 85 %): each a named group of decision-making files.
export const MODULES = [
  {
    slug: 'analysis',
    name: 'state analysis',
    files: ['core/analysis/config.ts', 'core/analysis/rules.ts', 'core/analysis/recompute.ts'],
  },
  {
    slug: 'ingest',
    name: 'ingest identity/keys/normalise',
    files: ['core/ingest/identity.ts', 'core/ingest/keys.ts', 'core/ingest/normalize.ts'],
  },
  {
    slug: 'remediation',
    name: 'remediation validate/quote/generate',
    files: ['core/remediation/validate.ts', 'core/remediation/quote.ts', 'core/remediation/generate.ts'],
  },
  {
    slug: 'field',
    name: 'field packs/format/merge',
    files: ['core/field/packs.ts', 'core/field/format.ts', 'core/field/pack-life.ts'],
  },
  { slug: 'audit', name: 'audit', files: ['core/store/audit.ts'] },
  { slug: 'csv', name: 'CSV writer', files: ['core/analysis/csv.ts'] },
  { slug: 'gates', name: 'replay gates', files: ['core/replay/gates.ts'] },
];

/** Where a module's results live: its committed incremental file and its last JSON report. */
export const incrementalFile = (slug) => `test/mutation/incremental/${slug}.json`;
export const reportFile = (slug) => `reports/mutation/${slug}.json`;
