// The gate policy model: a versioned, shareable JSON format (zod schema), validation with field paths, the default policy.
import { z } from 'zod';
import defaultPolicyJson from './policies/default.js';
import canaryOnlyJson from './policies/canary-1h.js';

export const POLICY_FORMAT = 'ringside.gate-policy';
export const POLICY_VERSION = 1;

/** Falcon content update policy `delay_hours` values allowed for `ga` (reference/formats.md 3.5). */
export const FALCON_DELAY_HOURS = [0, 1, 2, 4, 8, 12, 24, 48, 72] as const;

const ringSize = z.discriminatedUnion('kind', [
  /** The ring keeps the membership it has in the imported data. */
  z.object({ kind: z.literal('asImported') }),
  /** A share of the fleet (real machines), in percent. */
  z.object({ kind: z.literal('share'), percent: z.number().gt(0).max(100) }),
  /** A fixed number of fleet devices. */
  z.object({ kind: z.literal('count'), devices: z.number().int().positive() }),
]);

// Vendor content delay for a ring: when the ring may start at the earliest, counted from the content release.
const ringDelay = z.discriminatedUnion('source', [
  z.object({ source: z.literal('none') }),
  z.object({
    source: z.literal('falcon'),
    assignment: z.enum(['ea', 'ga', 'pause']),
    delayHours: z
      .number()
      .refine((h) => (FALCON_DELAY_HOURS as readonly number[]).includes(h), {
        message: `Falcon delay_hours must be one of ${FALCON_DELAY_HOURS.join(', ')}`,
      })
      .default(0),
  }),
  z.object({ source: z.literal('autopatch'), deferralDays: z.number().int().min(0).max(30) }),
]);

export const policyRingSchema = z.object({
  name: z.string().trim().min(1).max(60),
  /** Imported ring names this policy ring covers (case-insensitive); default: its own name. */
  match: z.array(z.string().trim().min(1)).optional(),
  size: ringSize.default({ kind: 'asImported' }),
  /** Hours the ring bakes after it starts before the next ring may start. */
  bakeHours: z
    .number()
    .min(0)
    .max(24 * 60),
  delay: ringDelay.default({ source: 'none' }),
});

export const gateSchema = z.object({
  /** crash and failure trip at or above the threshold; success trips strictly below it. */
  metric: z.enum(['crash', 'failure', 'success']),
  thresholdPercent: z.number().min(0).max(100),
  /** Fewer devices than this in the evaluated population: the gate does not evaluate (insufficient sample). */
  minSample: z.number().int().min(1),
  /** Only devices that received the content in the last N hours count; null = all since the ring started. */
  windowHours: z.number().positive().nullable().default(null),
  /** continuous = after every receipt/crash/failure event in the ring; bakeEnd = once, at the ring's bake end. */
  at: z.enum(['continuous', 'bakeEnd']).default('continuous'),
  /** Policy ring names the gate watches; absent = every ring. */
  rings: z.array(z.string()).optional(),
});

export const policySchema = z.object({
  format: z.literal(POLICY_FORMAT),
  version: z.literal(POLICY_VERSION),
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'id: lower-case letters, digits and dashes')
    .default('custom'),
  name: z.string().trim().min(1).max(120),
  description: z.string().max(2000).default(''),
  /** Which vendor's halt/rollback commands the recommendation points to. */
  vendor: z.enum(['falcon', 'autopatch', 'intune', 'configmgr', 'defender', 'generic']).default('generic'),
  /** The content to replay (an `installed` package + version); absent = the one with the most crashes after receipt. */
  content: z.object({ package: z.string(), version: z.string() }).nullable().default(null),
  rings: z.array(policyRingSchema).min(1).max(20),
  gates: z.array(gateSchema).max(20),
  action: z
    .object({
      kind: z.enum(['pause', 'rollback']),
      /** Minutes between the trip and the halt reaching devices (Autopatch documents up to 8 h). */
      latencyMinutes: z
        .number()
        .min(0)
        .max(7 * 24 * 60)
        .default(0),
    })
    .default({ kind: 'pause', latencyMinutes: 0 }),
  /** ConfigMgr phased deployment: the previous phase must reach this success % (checked at its bake end). */
  configMgrSuccessPercent: z.number().min(0).max(100).nullable().default(null),
});

export type Policy = z.infer<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type PolicyRing = z.infer<typeof policyRingSchema>;
export type Gate = z.infer<typeof gateSchema>;

export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`${source}: invalid gate policy: ${issues.join('; ')}`);
    this.name = 'PolicyError';
  }
}

/** Validates a parsed policy object; errors name the source and each field path (e.g. rings[1].bakeHours). */
export function parsePolicy(value: unknown, source = 'policy'): Policy {
  const r = policySchema.safeParse(value);
  if (!r.success) {
    throw new PolicyError(
      source,
      r.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`),
    );
  }
  const p = r.data;
  const names = new Set<string>();
  const problems: string[] = [];
  p.rings.forEach((ring, i) => {
    const key = ring.name.toLowerCase();
    if (names.has(key)) problems.push(`rings[${i}].name: duplicate ring name '${ring.name}'`);
    names.add(key);
  });
  p.gates.forEach((g, i) =>
    g.rings?.forEach((n, j) => {
      if (!names.has(n.toLowerCase())) problems.push(`gates[${i}].rings[${j}]: no policy ring named '${n}'`);
    }),
  );
  if (problems.length) throw new PolicyError(source, problems);
  return p;
}

/** Parses a policy file's text; a JSON syntax error names the file and the line. */
export function parsePolicyText(text: string, source = 'policy.json'): Policy {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new PolicyError(source, [`${line ? `line ${line}: ` : ''}not valid JSON (${msg})`]);
  }
  return parsePolicy(value, source);
}

/** The file form: stable key order, two-space indent, trailing newline. */
export function serializePolicy(p: Policy): string {
  return `${JSON.stringify(parsePolicy(p), null, 2)}\n`;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(root)';
}

/** Built-in policies shipped as data files (core/replay/policies/*.ts). */
export function builtInPolicies(): Policy[] {
  return [
    parsePolicy(defaultPolicyJson, 'policies/default.json'),
    parsePolicy(canaryOnlyJson, 'policies/canary-1h.json'),
  ];
}

/** Test 1 %, a 4 h bake, halt at a 2 % crash rate (continuous, min sample 10), pause. */
export function defaultPolicy(): Policy {
  return builtInPolicies()[0]!;
}

/** Ring names resolved to the imported ring names each policy ring covers (lower case). */
export function ringMatches(p: Policy): string[][] {
  return p.rings.map((r) => (r.match?.length ? r.match : [r.name]).map((s) => s.toLowerCase()));
}

/** Hours after the content release before a ring may start, from its vendor delay; null = never (paused). */
export function ringDelayHours(r: PolicyRing): number | null {
  switch (r.delay.source) {
    case 'none':
      return 0;
    case 'falcon':
      return r.delay.assignment === 'pause' ? null : r.delay.assignment === 'ea' ? 0 : r.delay.delayHours;
    case 'autopatch':
      return r.delay.deferralDays * 24;
  }
}
