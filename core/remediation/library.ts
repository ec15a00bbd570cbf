// The playbook library of a workspace: the built-ins plus playbooks users loaded (migration 4), newest version first.
import { sha256Hex } from '../secrets/box.js';
import * as remediationTable from '../store/remediation.js';
import { audit, type Workspace } from '../workspace.js';
import { BUILTIN_PLAYBOOKS, isBuiltin } from './builtin.js';

export { isBuiltin };
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

/** Ids of the built-in playbooks: reserved, so a loaded file can never change what they generate. */
export const RESERVED_IDS: ReadonlySet<string> = new Set(BUILTIN_PLAYBOOKS.map((p) => p.id));

function stored(ws: Workspace): Playbook[] {
  const out: Playbook[] = [];
  for (const json of remediationTable.playbookFiles(ws.db)) {
    const p = parsePlaybook(JSON.parse(json));
    // A workspace may hold a file loaded under a built-in's id before ids were reserved: it never shadows one.
    if (p.ok && !RESERVED_IDS.has(p.playbook.id)) out.push(p.playbook);
  }
  return out;
}

/** Hosts a loaded playbook may name in a URL: the APIs the built-in playbooks call themselves. */
const API_HOSTS = new Set(['graph.microsoft.com']);

/** Why a literal names a remote place (UNC share, //host, a URL), or null. */
function remoteProblem(text: string): string | null {
  if (/\\\\\?\\UNC\\/i.test(text) || /\\\\(?![?.]\\)/.test(text)) return 'a UNC path (\\\\host\\share)';
  for (const m of text.matchAll(/([a-z][a-z0-9+.-]*):\/\/([^/\s'"]*)/gi)) {
    const scheme = m[1]!.toLowerCase();
    const host = m[2]!.toLowerCase().replace(/:\d+$/, '');
    if (scheme !== 'https' || !API_HOSTS.has(host)) return `a URL (${scheme}://)`;
  }
  if (/(^|[^:/])\/\/[^/\s]/.test(text)) return 'a network path (//host)';
  return null;
}

/**
 * Every literal of a loaded playbook that names a remote place, with its field: a loaded file must not copy logs
 * to a share or fetch from a server on a broken machine.
 */
export function remotePathProblems(p: Playbook): string[] {
  const out: string[] = [];
  const check = (field: string, text: string | undefined) => {
    const why = text === undefined ? null : remoteProblem(text);
    if (why) out.push(`${field}: ${why} is not allowed in a loaded playbook ('${text!.slice(0, 80)}')`);
  };
  p.params.forEach((x, i) => check(`params[${i}].default`, x.default));
  p.routes.forEach((r, i) =>
    r.steps.forEach((st, j) => {
      const at = `routes[${i}] (${r.id}).steps[${j}]`;
      if (st.op === 'note' || st.op === 'manual') check(`${at}.text`, st.text);
      if (st.op === 'delete-files') {
        check(`${at}.dir`, st.dir);
        check(`${at}.pattern`, st.pattern);
      }
      if (st.op === 'run' || st.op === 'capture')
        st.argv.forEach((t, k) => {
          const parts = typeof t === 'object' && 'concat' in t ? t.concat : [t];
          // A concat's literals are checked joined too: "\\" + "host\share" is a share as well.
          const joined = parts.map((q) => (typeof q === 'string' ? q : 'x')).join('');
          parts.forEach(
            (q, m) => typeof q === 'string' && check(`${at}.argv[${k}]${parts.length > 1 ? `.concat[${m}]` : ''}`, q),
          );
          if (parts.length > 1 && !out.some((o) => o.startsWith(`${at}.argv[${k}]`))) check(`${at}.argv[${k}]`, joined);
        });
    }),
  );
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
    builtin: isBuiltin(p),
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
  if (RESERVED_IDS.has(p.id)) {
    const b = BUILTIN_PLAYBOOKS.find((x) => x.id === p.id && x.version === p.version);
    // An exported built-in loaded back unchanged is the built-in itself: nothing to store.
    if (b && JSON.stringify(b) === canonical) return describePlaybook(b);
    throw new Error(
      `playbook id '${p.id}' is reserved for a built-in playbook; a loaded playbook needs its own id (set "id" in the file, e.g. '${p.id.slice(0, 50)}-local')`,
    );
  }
  const remote = remotePathProblems(p);
  if (remote.length) throw new Error(`playbook file refused, remote paths in literals:\n${remote.join('\n')}`);
  const existing = allPlaybooks(ws).find((x) => x.id === p.id && x.version === p.version);
  if (existing) {
    if (JSON.stringify(existing) === canonical) return describePlaybook(existing);
    throw new Error(`playbook ${p.id} version ${p.version} already exists with different content; raise the version`);
  }
  const sha = await sha256Hex(canonical);
  remediationTable.addPlaybook(ws.db, {
    id: p.id,
    version: p.version,
    name: p.name,
    json: canonical,
    sha256: sha,
    at: ws.now(),
    by: ws.actor,
  });
  await audit(ws, 'playbook.load', { id: p.id, version: p.version, sha256: sha });
  return describePlaybook(p);
}
