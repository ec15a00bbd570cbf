// `ringside scripts`: renders a playbook route for a target into a folder (scripts, manifest.json, KEYS-ROTATE.txt).
import { mkdir, writeFile } from 'node:fs/promises';
import { writePrivateFile } from '../node/private-file.js';
import path from 'node:path';
import { bundleExtras } from '../../core/remediation/bundle.js';
import { handlers, parse, printJson, UsageError, withWorkspace, type Command } from './context.js';
import { shown } from './shown.js';

export const scriptsCommand: Command = {
  name: 'scripts',
  usage:
    'ringside scripts <workspace> --playbook <id> [--route R] [--site S] [--ring R] [--state S]… [--device H]… [--param name=value]… [--per-device] [--with-keys] --out DIR [--json]',
  summary: 'Generate remediation scripts for a target (refused values are listed; keys only with --with-keys, audited)',
  async run(args, io) {
    const { values, positionals } = parse(args, {
      playbook: { type: 'string' },
      route: { type: 'string' },
      site: { type: 'string' },
      ring: { type: 'string' },
      state: { type: 'string', multiple: true },
      device: { type: 'string', multiple: true },
      param: { type: 'string', multiple: true },
      'per-device': { type: 'boolean' },
      'with-keys': { type: 'boolean' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    });
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError('give exactly one workspace file');
    if (!values.playbook) throw new UsageError('--playbook is required (see ringside playbooks)');
    if (!values.out) throw new UsageError('--out DIR is required');
    const params: Record<string, string> = {};
    for (const p of values.param ?? []) {
      const eq = p.indexOf('=');
      if (eq < 1) throw new UsageError(`--param wants name=value, got '${p}'`);
      params[p.slice(0, eq)] = p.slice(eq + 1);
    }
    const outDir = path.resolve(values.out);
    // Written back: the generation history and the audit entries are part of the workspace.
    const bundle = await withWorkspace(file, { write: true }, (ws) =>
      handlers.generateScripts(ws, {
        playbookId: values.playbook!,
        ...(values.route ? { route: values.route } : {}),
        target: {
          ...(values.site ? { site: values.site } : {}),
          ...(values.ring ? { ring: values.ring } : {}),
          ...(values.state?.length ? { states: values.state } : {}),
          ...(values.device?.length ? { hostnames: values.device } : {}),
        },
        withKeys: values['with-keys'] === true,
        perDevice: values['per-device'] === true,
        params,
      }),
    );
    const written: string[] = [];
    for (const f of [...bundle.files, ...bundleExtras(bundle)]) {
      const target = path.join(outDir, ...f.path.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      // Key-bearing files are readable by the owner only, also when regenerated; never written through a symlink.
      if (bundle.keyIdsToRotate.length) await writePrivateFile(target, f.content);
      else await writeFile(target, f.content, { mode: 0o644 });
      written.push(target);
    }
    const counts = {
      devices: bundle.manifest.devices.length,
      files: bundle.files.length,
      refused: bundle.refused.length,
      keysIncluded: bundle.keyIdsToRotate.length,
    };
    if (values.json) {
      printJson(io, {
        generationId: bundle.generationId,
        out: outDir,
        files: bundle.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
        refused: bundle.refused.map((r) => ({ device: r.device, field: r.field, reason: r.reason, code: r.code })),
        keyIdsToRotate: bundle.keyIdsToRotate,
        warnings: bundle.manifest.warnings,
        counts,
      });
    } else {
      if (!bundle.manifest.what.builtin) io.out(shown(bundle.manifest.warnings[0]));
      io.out(
        `${counts.files} file(s) for ${counts.devices} device(s) written to ${outDir} (generation ${bundle.generationId})`,
      );
      for (const r of bundle.refused) io.out(`  refused ${shown(r.device)} ${shown(r.field)}: ${shown(r.reason)}`);
      if (counts.keysIncluded)
        io.out(`  ${counts.keysIncluded} recovery key(s) included: rotate them afterwards (KEYS-ROTATE.txt)`);
    }
    return bundle.files.length > 0 ? 0 : 1;
  },
};
