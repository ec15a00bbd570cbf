// `ringside playbooks`: lists playbooks and their routes; exports a playbook file, loads one into a workspace, or prints the schema.
import { readFile } from 'node:fs/promises';
import { loadSqlJs } from '../node/sqljs.js';
import { closeSession, openSession } from '../../core/session.js';
import type { Workspace } from '../../core/workspace.js';
import { handlers, parse, printJson, UsageError, withWorkspace, type Command } from './context.js';
import { shown } from './shown.js';

export const playbooksCommand: Command = {
  name: 'playbooks',
  usage: 'ringside playbooks [<workspace>] [--export ID] [--load FILE] [--schema] [--json]',
  summary: 'List remediation playbooks and their ids/routes; export or load a shareable playbook file',
  async run(args, io) {
    const { values, positionals } = parse(args, {
      export: { type: 'string' },
      load: { type: 'string' },
      schema: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 1) throw new UsageError('give at most one workspace file');
    const file = positionals[0];
    if (values.load && !file) throw new UsageError('--load needs a workspace to store the playbook in');
    type Result =
      | { schema: Record<string, unknown> }
      | { file: string }
      | { loaded: Awaited<ReturnType<typeof handlers.loadPlaybook>> }
      | { playbooks: ReturnType<typeof handlers.playbooks> };
    const act = async (ws: Workspace): Promise<Result> => {
      if (values.schema) return { schema: handlers.playbookSchema(ws) };
      if (values.export) return { file: handlers.playbookFile(ws, values.export) };
      if (values.load) return { loaded: await handlers.loadPlaybook(ws, await readFile(values.load, 'utf8')) };
      return { playbooks: handlers.playbooks(ws) };
    };
    const result: Result = file
      ? await withWorkspace(file, { write: Boolean(values.load) }, act)
      : await (async () => {
          // Built-ins need no workspace: use a throwaway in-memory one.
          const { ws } = await openSession({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32), actor: 'cli' });
          try {
            return await act(ws);
          } finally {
            closeSession(ws);
          }
        })();
    if ('file' in result) {
      io.out(result.file);
      return 0;
    }
    if (values.json || 'schema' in result) {
      printJson(io, result);
      return 0;
    }
    if ('loaded' in result) {
      io.out(
        result.loaded.builtin
          ? `${shown(result.loaded.id)} version ${shown(result.loaded.version)} is the built-in playbook itself; nothing stored`
          : `loaded ${shown(result.loaded.id)} version ${shown(result.loaded.version)}: not a built-in playbook; every file generated from it says so`,
      );
      return 0;
    }
    for (const p of result.playbooks) {
      io.out(
        `${shown(p.id)}  v${shown(p.version)}  ${shown(p.name)}${p.builtin ? '' : '  (loaded: not a built-in playbook)'}`,
      );
      for (const t of p.targets)
        io.out(
          `    --route ${t.route.padEnd(24)} ${t.shell}${t.tool ? `/${t.tool}` : ''}, ${t.scope}${t.needsKeys ? ', uses keys' : ''}: ${shown(t.name)}`,
        );
    }
    return 0;
  },
};
