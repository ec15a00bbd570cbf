// `ringside rollback`: prints halt/rollback commands for a vendor and ring, with the devices affected. Never runs them.
import { handlers, parse, printJson, UsageError, withWorkspace, type Command } from './context.js';
import { shown } from './shown.js';

export const rollbackCommand: Command = {
  name: 'rollback',
  usage:
    'ringside rollback <workspace> --vendor <falcon-content|falcon-sensor|intune|autopatch|configmgr|winget> --ring <r> [--policy-id ID] [--build B] [--content-version V] [--winget-id ID] [--json]',
  summary: 'Print rollback/halt commands for one ring, for review (Ringside never runs them)',
  async run(args, io) {
    const { values, positionals } = parse(args, {
      vendor: { type: 'string' },
      ring: { type: 'string' },
      'policy-id': { type: 'string' },
      build: { type: 'string' },
      'content-version': { type: 'string' },
      'winget-id': { type: 'string' },
      json: { type: 'boolean' },
    });
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError('give exactly one workspace file');
    if (!values.vendor || !values.ring) throw new UsageError('--vendor and --ring are required');
    const plan = await withWorkspace(file, { write: false }, async (ws) =>
      handlers.rollbackCommands(ws, {
        vendor: values.vendor!,
        ring: values.ring!,
        ...(values['policy-id'] ? { policyId: values['policy-id'] } : {}),
        ...(values.build ? { build: values.build } : {}),
        ...(values['content-version'] ? { contentVersion: values['content-version'] } : {}),
        ...(values['winget-id'] ? { wingetId: values['winget-id'] } : {}),
      }),
    );
    if (values.json) {
      printJson(io, plan);
      return 0;
    }
    io.out(`${plan.vendor}: ring ${plan.ring}, ${plan.affects.devices} device(s)`);
    for (const s of plan.affects.bySite) io.out(`  ${shown(s.site)}: ${s.devices}`);
    for (const c of plan.commands) io.out(`\n## ${c.title} (${c.kind})\n${c.text}`);
    io.out('');
    for (const n of plan.notes) io.out(`- ${shown(n)}`);
    return 0;
  },
};
