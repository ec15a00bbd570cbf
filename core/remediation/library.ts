// The playbook library of a workspace: the built-ins plus playbooks users loaded (migration 4), newest version first.
import { sha256Hex } from '../secrets/box.js';
import { audit, type Workspace } from '../workspace.js';
import { BUILTIN_PLAYBOOKS } from './builtin.js';
import { parsePlaybook, usedParams, type Playbook } from './schema.js';

export interface PlaybookInfo {
  id: string;
  name: string;
  version: number;
  description: string;
  builtin: boolean;
  platforms: string[];
  targets: Array<{
    route: string;
    name: string;
    shell: string;
    tool?: string;
    scope: string;
    needsKeys: boolean;
    /** The parameters this route's commands use. */
    params: string[];
  }>;
  params: Array<{ name: string; type: string; label: string; default?: string; example?: string }>;
}

function stored(ws: Workspace): Playbook[] {
  const rows = ws.db.all<{ json: string }>('SELECT json FROM remediation_playbooks ORDER BY id, version');
  const out: Playbook[] = [];
  for (const r of rows) {
    const p = parsePlaybook(JSON.parse(r.json));
    if (p.ok) out.push(p.playbook);
  }
  return out;
}

/** Every playbook version available in the workspace. */
export function allPlaybooks(ws: Workspace): Playbook[] {
  return [...BUILTIN_PLAYBOOKS, ...stored(ws)];
}

/** The newest version of a playbook, or a named version. */
export function findPlaybook(ws: Workspace, id: string, version?: number): Playbook {
  const matches = allPlaybooks(ws).filter((p) => p.id === id && (version === undefined || p.version === version));
  if (matches.length === 0) {
    const known = [...new Set(allPlaybooks(ws).map((p) => p.id))].join(', ');
    throw new Error(`no playbook '${id}'${version ? ` version ${version}` : ''} (known: ${known})`);
  }
  return matches.reduce((a, b) => (b.version > a.version ? b : a));
}

export function describePlaybook(p: Playbook): PlaybookInfo {
  return {
    id: p.id,
    name: p.name,
    version: p.version,
    description: p.description,
    builtin: BUILTIN_PLAYBOOKS.includes(p),
    platforms: p.appliesTo.platforms,
    targets: p.routes.map((r) => ({
      route: r.id,
      name: r.name,
      shell: r.shell,
      ...(r.tool ? { tool: r.tool } : {}),
      scope: r.scope,
      needsKeys: r.needsKeys,
      params: [...usedParams(r)],
    })),
    params: p.params.map((x) => ({
      name: x.name,
      type: x.type,
      label: x.label,
      ...(x.default ? { default: x.default } : {}),
      ...(x.example ? { example: x.example } : {}),
    })),
  };
}

/** Latest version of each playbook, sorted by id. */
export function listPlaybooks(ws: Workspace): PlaybookInfo[] {
  const ids = [...new Set(allPlaybooks(ws).map((p) => p.id))].sort();
  return ids.map((id) => describePlaybook(findPlaybook(ws, id)));
}

/** The shareable file: pretty JSON with a trailing newline. */
export function playbookFile(ws: Workspace, id: string, version?: number): string {
  return `${JSON.stringify(findPlaybook(ws, id, version), null, 2)}\n`;
}

/** Loads a playbook file after validation; the same id and version with other content is refused. */
export async function loadPlaybook(ws: Workspace, json: string): Promise<PlaybookInfo> {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new Error(`playbook file is not JSON: ${(err as Error).message}`);
  }
  const r = parsePlaybook(data);
  if (!r.ok) throw new Error(`playbook file is invalid:\n${r.errors.join('\n')}`);
  const p = r.playbook;
  const canonical = JSON.stringify(p);
  const existing = allPlaybooks(ws).find((x) => x.id === p.id && x.version === p.version);
  if (existing) {
    if (JSON.stringify(existing) === canonical) return describePlaybook(existing);
    throw new Error(`playbook ${p.id} version ${p.version} already exists with different content; raise the version`);
  }
  const sha = await sha256Hex(canonical);
  ws.db.run(
    'INSERT INTO remediation_playbooks(id, version, name, json, sha256, loaded_at, loaded_by) VALUES (?,?,?,?,?,?,?)',
    [p.id, p.version, p.name, canonical, sha, ws.now(), ws.actor],
  );
  await audit(ws, 'playbook.load', { id: p.id, version: p.version, sha256: sha });
  return describePlaybook(p);
}
