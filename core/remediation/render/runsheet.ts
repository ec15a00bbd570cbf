// Renders a printable plain-text run sheet for one device: checkboxes, the key ID to match, the exact commands, the result line.
import type { Token } from '../schema.js';
import { commentText } from '../quote.js';
import { isBuiltin, notBuiltinBanner } from '../builtin.js';
import { describe, headerLines, RenderError, type RenderContext } from './common.js';

const t = (s: string) => commentText('text', s);

function word(ctx: RenderContext, tok: Token, hostname: string): string {
  const parts = typeof tok === 'object' && 'concat' in tok ? tok.concat : [tok];
  return parts
    .map((p) => {
      if (typeof p === 'string') return p;
      if ('param' in p) {
        const v = ctx.params[p.param];
        if (v === undefined) throw new RenderError(`no value for ${p.param}`);
        return v;
      }
      if ('device' in p) return hostname;
      return `<${p.var}>`;
    })
    .join('');
}

export function renderRunSheet(ctx: RenderContext): string {
  const d = ctx.devices[0];
  if (!d || ctx.devices.length !== 1) throw new RenderError('a run sheet is for exactly one device');
  const out: string[] = [];
  const title = `RUN SHEET: ${d.hostname}`;
  // A sheet is read from the top: a loaded playbook's banner comes before the title, not only in the header.
  if (!isBuiltin(ctx.playbook)) out.push(t(notBuiltinBanner(ctx.playbook)), '');
  out.push(title, '='.repeat(title.length), '');
  out.push(
    `Device:   ${d.hostname}`,
    `Site:     ${t(d.site ?? '-')}`,
    `Ring:     ${t(d.ring ?? '-')}`,
    `State:    ${d.state}`,
  );
  out.push('');
  for (const h of headerLines(ctx)) out.push(t(h));
  out.push('');
  out.push(...describe(ctx.route.description, 90));
  out.push('');
  let n = 0;
  for (const s of ctx.route.steps) {
    n++;
    switch (s.op) {
      case 'note':
      case 'manual':
        out.push(`[ ] ${n}. ${t(s.text)}`);
        break;
      case 'unlock-bitlocker':
        if (d.keys.length === 0) {
          out.push(
            `[ ] ${n}. No valid recovery key for this device in the workspace: use the Safe Mode route or escalate.`,
          );
          break;
        }
        out.push(`[ ] ${n}. Unlock the drive. Match the key ID shown on the BitLocker screen:`);
        for (const k of d.keys) {
          out.push(`       Key ID {${k.keyId}}`);
          out.push(
            k.password
              ? `       manage-bde -unlock C: -RecoveryPassword ${k.password}`
              : '       manage-bde -unlock C: -RecoveryPassword <recovery password from the console (audited reveal)>',
          );
        }
        break;
      case 'delete-files':
        out.push(`[ ] ${n}. Delete exactly this (nothing wider), on the Windows drive (usually C:):`);
        out.push(`       del C:${s.dir}\\${s.pattern}`);
        break;
      case 'safeboot-enter':
        out.push(`[ ] ${n}. bcdedit /set {default} safeboot ${s.mode}   (then reboot, log in as local admin)`);
        break;
      case 'safeboot-clear':
        out.push(`[ ] ${n}. bcdedit /deletevalue {default} safeboot   (never skip this)`);
        break;
      case 'reboot':
        out.push(`[ ] ${n}. Reboot.`);
        break;
      case 'run':
      case 'capture':
        out.push(`[ ] ${n}. ${t(s.label)}:`);
        out.push(`       ${s.argv.map((a) => word(ctx, a, d.hostname)).join(' ')}`);
        break;
    }
  }
  out.push('');
  out.push('Result:  [ ] fixed   [ ] self-recovered   [ ] failed   [ ] needs reimage');
  out.push('Key ID used: ______________________________________');
  out.push('Technician: ____________________  Time (UTC): ____________________');
  out.push('Notes: ____________________________________________________________');
  if (ctx.withKeys && d.keys.some((k) => k.password)) {
    out.push('');
    out.push('This sheet holds a BitLocker recovery password: shred it after use; the key must be rotated.');
  }
  return out.join('\n') + '\n';
}
