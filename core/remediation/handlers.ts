// Worker/CLI entry points of the remediation domain: each takes the open workspace first.
import type { HandlerMap } from '../contract/handlers.js';
import * as deviceTable from '../store/devices.js';
import type { Workspace } from '../workspace.js';
import { bundleZip as zipBundle } from './bundle.js';
import { generateScripts, selectDevices, type Bundle, type GenerateOptions, type Target } from './generate.js';
import { generation, generations, lineDiff } from './history.js';
import { findPlaybook, listPlaybooks, loadPlaybook, playbookFile } from './library.js';
import { rollbackCommands, type RollbackOptions } from './rollback.js';
import { playbookJsonSchema } from './schema.js';
import { ringSort } from '../analysis/filter.js';

export const remediationHandlers = {
  /** Latest version of every playbook: id, name, version, routes (targets). */
  playbooks: (ws: Workspace) => listPlaybooks(ws),
  /** The shareable JSON file of a playbook. */
  playbookFile: (ws: Workspace, id: string, version?: number) => playbookFile(ws, id, version),
  /** JSON Schema of the playbook file format. */
  playbookSchema: (_ws: Workspace) => playbookJsonSchema(),
  /** Validates and stores a playbook file (audited). */
  loadPlaybook: (ws: Workspace, json: string) => loadPlaybook(ws, json),
  /** Renders a bundle for a target; keys are decrypted only when withKeys is set, and that is audited. */
  generateScripts: (ws: Workspace, opts: GenerateOptions) => generateScripts(ws, opts),
  /** Halt/rollback commands for a vendor and ring, with the devices they affect; never run. */
  rollbackCommands: (ws: Workspace, opts: RollbackOptions) => rollbackCommands(ws, opts),
  generations: (ws: Workspace, opts?: { limit?: number }) => generations(ws, opts),
  generation: (ws: Workspace, id: number) => generation(ws, id),
  /** Line diff of one file between a generation and the previous one of the same route (redacted contents). */
  compareGeneration: (ws: Workspace, id: number) => {
    const cur = generation(ws, id);
    const prev = cur.previousId ? generation(ws, cur.previousId) : null;
    return cur.files.map((f) => {
      const before = prev?.files.find((p) => p.path === f.path)?.content ?? '';
      return { path: f.path, previousId: prev?.id ?? null, diff: lineDiff(before, f.content) };
    });
  },
  /** Sites, rings and states present among current devices, with counts, for choosing a target. */
  scriptTargets: (ws: Workspace) => ({
    sites: deviceTable.sites(ws.db),
    // Rings in rollout order, as everywhere else in the app (not alphabetically).
    rings: deviceTable.rings(ws.db).sort((a, b) => ringSort(a.value, b.value)),
  }),
  /** Devices a target would select (before validation), for the preview count. */
  previewTarget: (ws: Workspace, playbookId: string, target: Target) =>
    selectDevices(ws, findPlaybook(ws, playbookId), target).length,
  /** Zip bytes with the scripts, manifest.json and KEYS-ROTATE.txt. */
  bundleZip: (_ws: Workspace, bundle: Bundle) => zipBundle(bundle),
} satisfies HandlerMap;
