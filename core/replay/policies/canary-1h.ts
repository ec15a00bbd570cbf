// Built-in gate policy 'canary-1h', as plain data in the shared file format (a .ts module because core's tsconfig lists only .ts files).
export default {
  format: 'ringside.gate-policy',
  version: 1,
  id: 'canary-1h',
  name: 'Falcon: EA canary, GA +1 h, check at bake end',
  description:
    "The imported Test ring on Falcon early access; the other rings on general availability with a 1 hour content delay. A 5 % crash gate evaluated only at the end of each ring's 1 hour bake.",
  vendor: 'falcon',
  content: null,
  rings: [
    {
      name: 'Test',
      size: { kind: 'asImported' },
      bakeHours: 1,
      delay: { source: 'falcon', assignment: 'ea', delayHours: 0 },
    },
    {
      name: 'First',
      size: { kind: 'asImported' },
      bakeHours: 1,
      delay: { source: 'falcon', assignment: 'ga', delayHours: 1 },
    },
    {
      name: 'Fast',
      size: { kind: 'asImported' },
      bakeHours: 1,
      delay: { source: 'falcon', assignment: 'ga', delayHours: 1 },
    },
    {
      name: 'Broad',
      size: { kind: 'asImported' },
      bakeHours: 0,
      delay: { source: 'falcon', assignment: 'ga', delayHours: 1 },
    },
  ],
  gates: [{ metric: 'crash', thresholdPercent: 5, minSample: 5, windowHours: null, at: 'bakeEnd' }],
  action: { kind: 'pause', latencyMinutes: 0 },
  configMgrSuccessPercent: null,
} as const;
