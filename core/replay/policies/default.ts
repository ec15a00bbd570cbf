// Built-in gate policy 'default', as plain data in the shared file format (a .ts module because core's tsconfig lists only .ts files).
export default {
  format: 'ringside.gate-policy',
  version: 1,
  id: 'default',
  name: 'Default: Test 1 %, 4 h bake, halt at 2 % crashes',
  description:
    'A 1 % Test ring, then the imported First, Fast and Broad rings, each baking 4 hours before the next starts. The content pauses as soon as any ring reaches a 2 % crash rate among at least 10 devices that received it.',
  vendor: 'falcon',
  content: null,
  rings: [
    { name: 'Test', size: { kind: 'share', percent: 1 }, bakeHours: 4, delay: { source: 'none' } },
    { name: 'First', size: { kind: 'asImported' }, bakeHours: 4, delay: { source: 'none' } },
    { name: 'Fast', size: { kind: 'asImported' }, bakeHours: 4, delay: { source: 'none' } },
    { name: 'Broad', size: { kind: 'asImported' }, bakeHours: 0, delay: { source: 'none' } },
  ],
  gates: [{ metric: 'crash', thresholdPercent: 2, minSample: 10, windowHours: null, at: 'continuous' }],
  action: { kind: 'pause', latencyMinutes: 0 },
  configMgrSuccessPercent: null,
} as const;
