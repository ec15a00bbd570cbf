// The shareable playbook file format (ringside-playbook v1): a zod schema, its JSON Schema, and the rules zod alone cannot say.
import { z } from 'zod';
import { ENVIRONMENTS } from './environments.js';
import { VALUE_TYPES, type ValueType } from './validate.js';

export const PLAYBOOK_FORMAT = 'ringside-playbook';
export const PLAYBOOK_FORMAT_VERSION = 1;

/** Literal words a cmd route may hold: they are written as they are, so no metacharacter and no wildcard. */
export const CMD_LITERAL_RE = /^[A-Za-z0-9_./:=,@+{}\\-]+$/;

/** Literal words in other shells are printable ASCII; renderers quote them unless they are plain. */
const literal = z.string().regex(/^[\x20-\x7e]{1,500}$/, 'a literal word must be printable ASCII');
const paramRef = z.object({ param: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/) }).strict();
const deviceRef = z.object({ device: z.enum(['hostname']) }).strict();
const varRef = z.object({ var: z.string().regex(/^[a-z][a-z0-9_]*$/) }).strict();
const part = z.union([literal, paramRef, deviceRef, varRef]);
/** One argument: a literal word, a reference, or several joined with no space between them. */
const token = z.union([part, z.object({ concat: z.array(part).min(2) }).strict()]);
export type Token = z.infer<typeof token>;
export type Part = z.infer<typeof part>;

const driveRange = z
  .object({ from: z.string().regex(/^[C-Z]$/), to: z.string().regex(/^[C-Z]$/) })
  .strict()
  .refine((r) => r.from <= r.to, 'drive range must go upwards');

/** A Windows folder below a drive root: backslashes, no wildcard, no '..'. */
const winDir = z
  .string()
  .regex(/^(\\[A-Za-z0-9_. -]+)+$/, 'folder must be \\Like\\This with letters, digits, space, _ . -')
  .refine((d) => !d.split('\\').includes('..'), 'folder must not contain ..');
/** The file pattern to delete: at most one '*', nothing else wild. */
const filePattern = z
  .string()
  .regex(/^[A-Za-z0-9_.-]*\*?[A-Za-z0-9_.-]*$/, 'pattern may hold one * and otherwise letters, digits, _ . -')
  .refine((p) => p.replace('*', '').length >= 6, 'pattern is too wide: at least 6 fixed characters are required');

const step = z.discriminatedUnion('op', [
  z.object({ op: z.literal('note'), text: z.string().max(500) }).strict(),
  z.object({ op: z.literal('manual'), text: z.string().max(500) }).strict(),
  z.object({ op: z.literal('unlock-bitlocker'), drives: driveRange }).strict(),
  z
    .object({
      op: z.literal('delete-files'),
      dir: winDir,
      pattern: filePattern,
      drives: z.union([driveRange, z.literal('system')]),
    })
    .strict(),
  z.object({ op: z.literal('safeboot-enter'), mode: z.enum(['minimal', 'network']) }).strict(),
  z.object({ op: z.literal('safeboot-clear') }).strict(),
  z.object({ op: z.literal('reboot'), delaySeconds: z.number().int().min(0).max(600) }).strict(),
  z
    .object({
      op: z.literal('run'),
      label: z.string().min(1).max(200),
      argv: z.array(token).min(1),
      perDevice: z.boolean().optional(),
      okExitCodes: z.array(z.number().int()).optional(),
    })
    .strict(),
  z
    .object({
      op: z.literal('capture'),
      label: z.string().min(1).max(200),
      var: z.string().regex(/^[a-z][a-z0-9_]*$/),
      type: z.enum(['awsInstanceId', 'awsVolumeId']),
      argv: z.array(token).min(1),
    })
    .strict(),
]);
export type Step = z.infer<typeof step>;

export const SHELLS = ['cmd', 'powershell', 'bash', 'runsheet'] as const;
export type RouteShell = (typeof SHELLS)[number];

const route = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/),
    name: z.string().min(1).max(120),
    shell: z.enum(SHELLS),
    /** Which command-line tool the steps drive, for the reader (az, aws, dnf...). */
    tool: z.string().max(40).optional(),
    /** 'device' writes one file per device; 'batch' one file for the whole target. */
    scope: z.enum(['batch', 'device']),
    needsKeys: z.boolean().default(false),
    /** Where a cmd route runs: the script says so at the top and calls only commands present there. */
    environment: z.enum(ENVIRONMENTS).optional(),
    description: z.string().max(2000).default(''),
    steps: z.array(step).min(1),
  })
  .strict()
  .superRefine((r, ctx) => {
    // Forcing Safe Mode without the clean-up leaves a machine booting into Safe Mode for ever.
    const enter = r.steps.findIndex((s) => s.op === 'safeboot-enter');
    const clear = r.steps.findIndex((s) => s.op === 'safeboot-clear');
    if (enter >= 0 && (clear < 0 || clear < enter))
      ctx.addIssue({ code: 'custom', message: `route ${r.id}: safeboot-enter must be followed by safeboot-clear` });
    if (r.shell === 'cmd' && !r.environment)
      ctx.addIssue({ code: 'custom', message: `route ${r.id}: a cmd route must name its environment` });
    if (r.shell === 'cmd')
      for (const s of r.steps) {
        if (s.op !== 'run') continue;
        for (const t of s.argv)
          for (const q of typeof t === 'object' && 'concat' in t ? t.concat : [t])
            if (typeof q === 'string' && !CMD_LITERAL_RE.test(q))
              ctx.addIssue({
                code: 'custom',
                message: `route ${r.id}: '${q}' is not a plain word a batch file can hold`,
              });
      }
    const usesVars = r.steps.some((s) => s.op === 'capture');
    if (usesVars && r.shell !== 'bash') ctx.addIssue({ code: 'custom', message: `route ${r.id}: capture needs bash` });
  });
export type Route = z.infer<typeof route>;

/** The parameters a route's commands use. */
export function usedParams(route: Route): Set<string> {
  const out = new Set<string>();
  for (const s of route.steps)
    if (s.op === 'run' || s.op === 'capture')
      for (const t of s.argv)
        for (const p of typeof t === 'object' && 'concat' in t ? t.concat : [t])
          if (typeof p === 'object' && 'param' in p) out.add(p.param);
  return out;
}

const param = z
  .object({
    name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/),
    type: z.enum(VALUE_TYPES as [ValueType, ...ValueType[]]),
    label: z.string().min(1).max(120),
    default: z.string().max(200).optional(),
    /** Shown as a placeholder only, never used as a value: made-up defaults end up in scripts unnoticed. */
    example: z.string().max(200).optional(),
  })
  .strict();
export type Param = z.infer<typeof param>;

export const playbookSchema = z
  .object({
    format: z.literal(PLAYBOOK_FORMAT),
    formatVersion: z.literal(PLAYBOOK_FORMAT_VERSION),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
    name: z.string().min(1).max(120),
    version: z.number().int().min(1),
    description: z.string().max(4000).default(''),
    appliesTo: z.object({ platforms: z.array(z.enum(['windows', 'mac', 'linux', 'other'])).min(1) }).strict(),
    /** States selected when the caller gives none (e.g. the devices still down). */
    defaultStates: z.array(z.string()).default([]),
    params: z.array(param).default([]),
    routes: z.array(route).min(1),
  })
  .strict()
  .superRefine((p, ctx) => {
    const names = new Set(p.params.map((x) => x.name));
    const ids = new Set<string>();
    for (const r of p.routes) {
      if (ids.has(r.id)) ctx.addIssue({ code: 'custom', message: `two routes share the id ${r.id}` });
      ids.add(r.id);
      const captured = new Set<string>();
      for (const s of r.steps) {
        if (s.op === 'capture') captured.add(s.var);
        if (s.op !== 'run' && s.op !== 'capture') continue;
        for (const t of s.argv) {
          const parts = typeof t === 'object' && 'concat' in t ? t.concat : [t];
          for (const q of parts) {
            if (typeof q !== 'object') continue;
            if ('param' in q && !names.has(q.param))
              ctx.addIssue({ code: 'custom', message: `route ${r.id}: unknown parameter ${q.param}` });
            if ('var' in q && !captured.has(q.var))
              ctx.addIssue({
                code: 'custom',
                message: `route ${r.id}: variable ${q.var} is used before it is captured`,
              });
          }
        }
      }
    }
  });
export type Playbook = z.infer<typeof playbookSchema>;

/** Parses a playbook file, giving a readable list of problems with their JSON paths on failure. */
export function parsePlaybook(input: unknown): { ok: true; playbook: Playbook } | { ok: false; errors: string[] } {
  const r = playbookSchema.safeParse(input);
  if (r.success) return { ok: true, playbook: r.data };
  return {
    ok: false,
    errors: r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`),
  };
}

/** JSON Schema (draft 2020-12) of the file format, for editors and for other tools. */
export function playbookJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(playbookSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
