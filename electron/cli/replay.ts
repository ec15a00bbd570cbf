// `ringside replay <workspace> --policy FILE|default [--json]`: per ring, devices reached and spared under a gate policy, and gate trips.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultPolicy, parsePolicyText, PolicyError, type Policy } from '../../core/replay/policy.js';
import type { ReplayResult } from '../../core/replay/simulate.js';
import { handlers, parse, printJson, UsageError, withWorkspace, type CliIo, type Command } from './context.js';
import { table } from './summary.js';
import { shown } from './shown.js';

function iso(t: number | null): string {
  return t === null ? '-' : new Date(t).toISOString().replace('.000Z', 'Z');
}

async function loadPolicy(arg: string): Promise<Policy> {
  if (arg === 'default') return defaultPolicy();
  const file = path.resolve(arg);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read policy file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    return parsePolicyText(text, file);
  } catch (err) {
    if (err instanceof PolicyError) throw new UsageError(err.message);
    throw err;
  }
}

function json(r: ReplayResult) {
  return {
    policy: r.policy,
    content: r.content.key,
    release: iso(r.t0),
    halt: r.halt && {
      ring: r.halt.ring,
      gate: r.halt.gate,
      at: iso(r.halt.at),
      reachesDevicesAt: iso(r.halt.reachesDevicesAt),
      evaluation: { ...r.halt.evaluation, time: iso(r.halt.evaluation.time) },
    },
    rings: r.rings.map((x) => ({
      ring: x.name,
      members: x.members,
      sizeRule: x.sizeRule,
      start: iso(x.start),
      bakeEnd: iso(x.bakeEnd),
      actualReached: x.actual.reached,
      reached: x.reached,
      spared: x.spared,
      crashed: x.crashed,
      crashesAvoided: x.crashesAvoided,
      rescued: x.rescued,
      tripAt: iso(x.tripAt),
      evaluations: x.evaluations.map((e) => ({ ...e, time: iso(e.time) })),
      notes: x.notes,
    })),
    totals: r.totals,
    notes: r.notes,
  };
}

export const replayCommand: Command = {
  name: 'replay',
  usage: 'ringside replay <workspace> --policy FILE|default [--json]',
  summary: 'Replays the rollout log under a gate policy: per ring, devices reached and spared, and when gates tripped.',
  async run(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { policy: { type: 'string' }, json: { type: 'boolean' } });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('give exactly one workspace file');
    if (!values.policy) throw new UsageError("--policy FILE is required ('--policy default' uses the built-in one)");
    const policy = await loadPolicy(values.policy);
    const r = await withWorkspace(file, { write: false }, async (ws) => handlers.replay(ws, policy));
    if (values.json) {
      printJson(io, json(r));
      return 0;
    }
    io.out(`policy: ${shown(r.policy.name)} (${shown(r.policy.id)}); content ${r.content.key}, released ${iso(r.t0)}`);
    io.out(
      table(
        ['ring', 'members', 'start', 'actual', 'reached', 'spared', 'crashes avoided', 'gate trip'],
        r.rings.map((x) => [
          x.name,
          x.members,
          iso(x.start),
          x.actual.reached,
          x.reached,
          x.spared,
          x.crashesAvoided,
          iso(x.tripAt),
        ]),
      ),
    );
    if (r.halt) {
      const e = r.halt.evaluation;
      io.out(
        `halt: ring ${r.halt.ring}, gate ${r.halt.gate + 1} (${e.metric} ${e.metric === 'success' ? '<' : '>='} ${e.thresholdPercent} %, min ${e.minSample}) tripped at ${iso(r.halt.at)}: ${e.bad} of ${e.population} = ${e.ratePercent} %; ${r.policy.action.kind} reaches devices at ${iso(r.halt.reachesDevicesAt)}`,
      );
    } else io.out('halt: no gate tripped');
    io.out(
      `total: ${r.totals.reached} of ${r.totals.actualReached} devices reached, ${r.totals.spared} spared, ${r.totals.crashesAvoided} of ${r.totals.actualCrashed} crashes avoided`,
    );
    for (const n of [...r.notes, ...r.rings.flatMap((x) => x.notes.map((m) => `${x.name}: ${m}`))])
      io.out(`note: ${shown(n)}`);
    return 0;
  },
};
