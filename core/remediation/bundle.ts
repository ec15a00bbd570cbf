// The bundle as files on disk or in a zip: the scripts, manifest.json and, when keys were included, KEYS-ROTATE.txt.
import { zipSync, strToU8 } from 'fflate';
import { notBuiltinBanner } from './builtin.js';
import type { Bundle } from './generate.js';

/** Extra files every bundle carries next to the scripts. */
export function bundleExtras(bundle: Bundle): Array<{ path: string; content: string }> {
  const out = [{ path: 'manifest.json', content: `${JSON.stringify(bundle.manifest, null, 2)}\n` }];
  if (bundle.keyIdsToRotate.length) {
    const m = bundle.manifest;
    out.push({
      path: 'KEYS-ROTATE.txt',
      content: [
        ...(m.what.builtin === false
          ? [notBuiltinBanner({ id: m.what.playbookId, version: m.what.playbookVersion })]
          : []),
        'BitLocker recovery keys were included in this bundle.',
        'Every key below must be rotated once the device is fixed (for example: manage-bde -protectors -delete C: -id {ID},',
        'then manage-bde -protectors -add C: -RecoveryPassword, and back the new key up to AD/Entra ID).',
        'Destroy the scripts and run sheets of this bundle after use.',
        '',
        `Workspace: ${m.workspaceId}`,
        `Generated: ${m.generatedAt} (generation ${m.generationId})`,
        '',
        ...m.devices.flatMap((d) =>
          d.keyIds.filter((k) => bundle.keyIdsToRotate.includes(k)).map((k) => `${d.hostname}\t{${k}}`),
        ),
        '',
      ].join('\n'),
    });
  }
  return out;
}

/** Zip bytes of the whole bundle. File times are the generation time so the same bundle gives the same zip. */
export function bundleZip(bundle: Bundle): Uint8Array {
  const mtime = new Date(bundle.manifest.generatedAt);
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const f of [...bundle.files, ...bundleExtras(bundle)]) entries[f.path] = [strToU8(f.content), { mtime }];
  return zipSync(entries, { level: 6 });
}
