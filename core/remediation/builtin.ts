// The built-in playbooks, kept as shareable data files and validated against the schema when the module loads.
import cs291 from './playbooks/cs-channel-291.js';
import linuxPackage from './playbooks/linux-package-rollback.js';
import windowsUpdate from './playbooks/windows-update-rollback.js';
import { parsePlaybook, type Playbook } from './schema.js';

function check(name: string, data: unknown): Playbook {
  const r = parsePlaybook(data);
  if (!r.ok) throw new Error(`built-in playbook ${name} is invalid: ${r.errors.join('; ')}`);
  return r.playbook;
}

export const BUILTIN_PLAYBOOKS: readonly Playbook[] = [
  check('cs-channel-291.json', cs291),
  check('windows-update-rollback.json', windowsUpdate),
  check('linux-package-rollback.json', linuxPackage),
];

/** Whether a playbook is one of Ringside's own (the same object, or the same content). */
export function isBuiltin(p: Playbook): boolean {
  return BUILTIN_PLAYBOOKS.some(
    (b) => b === p || (b.id === p.id && b.version === p.version && JSON.stringify(b) === JSON.stringify(p)),
  );
}

/** The banner every file generated from a loaded playbook carries (as a comment in the file's own shell). */
export function notBuiltinBanner(p: Pick<Playbook, 'id' | 'version'>): string {
  return `NOT A BUILT-IN PLAYBOOK: ${p.id} version ${p.version} was loaded from a file into this workspace. Check every step before running.`;
}
