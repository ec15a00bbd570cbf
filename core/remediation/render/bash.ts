// Renders a route as a bash script (Linux hosts, a Linux rescue system, az/aws CLI): single-quoted words, argv arrays, `--`.
import type { Step, Token } from '../schema.js';
import { comment, commentText, mustQuote } from '../quote.js';
import { describe, headerLines, RenderError, type RenderContext, type RenderDevice } from './common.js';

const q = (v: string, field: string) => mustQuote('bash', v, field);

/** Runtime checks for captured values: a cloud CLI's answer is data too, and is checked before use. */
const CAPTURE_RE: Record<string, string> = {
  awsInstanceId: '^i-([0-9a-f]{8}|[0-9a-f]{17})$',
  awsVolumeId: '^vol-([0-9a-f]{8}|[0-9a-f]{17})$',
};

function word(ctx: RenderContext, t: Token, device: RenderDevice | undefined): string {
  const parts = typeof t === 'object' && 'concat' in t ? t.concat : [t];
  return parts
    .map((p) => {
      if (typeof p === 'string') return /^[A-Za-z0-9_./:=,@+-]+$/.test(p) ? p : q(p, 'literal');
      if ('param' in p) {
        const v = ctx.params[p.param];
        if (v === undefined) throw new RenderError(`no value for ${p.param}`);
        return q(v, p.param);
      }
      if ('device' in p) {
        if (!device) throw new RenderError('a device value outside a per-device step');
        return q(device.hostname, 'hostname');
      }
      return `"$${p.var}"`;
    })
    .join('');
}

function stepLines(ctx: RenderContext, step: Step, n: number): string[] {
  const out: string[] = [];
  const single = ctx.route.scope === 'device' ? ctx.devices[0] : undefined;
  switch (step.op) {
    case 'note':
      out.push(comment('bash', `Step ${n}: ${step.text}`));
      return out;
    case 'manual':
      out.push(comment('bash', `Step ${n}: ${step.text}`));
      out.push(`rs_log ${q(commentText('bash', `Manual step: ${step.text}`), 'text')}`);
      return out;
    case 'unlock-bitlocker':
      out.push(
        comment('bash', `Step ${n}: unlock the BitLocker volume first (e.g. dislocker) and mount it at RS_ROOT`),
      );
      return out;
    case 'delete-files': {
      const rel = step.dir.replace(/\\/g, '/');
      out.push(
        comment(
          'bash',
          `Step ${n}: delete exactly ${rel}/${step.pattern} below RS_ROOT (nothing wider), logging each file`,
        ),
      );
      out.push(`rs_dir="$RS_ROOT"${q(rel, 'folder')}`);
      out.push('rs_found=0');
      out.push('if [[ -d $rs_dir ]]; then');
      out.push('  shopt -s nullglob');
      // The pattern holds only [A-Za-z0-9_.-] and one '*' (schema), so it is written as a glob on purpose.
      out.push(`  for rs_file in "$rs_dir"/${step.pattern}; do`);
      out.push(
        '    rs_log "deleting ${rs_file#"$RS_ROOT"} size $(stat -c %s -- "$rs_file") modified $(date -u -r "$rs_file" +%Y-%m-%dT%H:%M:%SZ)"',
      );
      out.push('    rm -f -- "$rs_file"');
      out.push('    rs_found=$((rs_found + 1))');
      out.push('  done');
      out.push('  shopt -u nullglob');
      out.push('fi');
      out.push(`if [[ $rs_found -eq 0 ]]; then rs_log ${q(`nothing to delete: no ${step.pattern} found`, 'text')}; fi`);
      return out;
    }
    case 'safeboot-enter':
    case 'safeboot-clear':
    case 'reboot':
      throw new RenderError(`${step.op} is only rendered for cmd routes`);
    case 'run': {
      const targets = step.perDevice ? ctx.devices : [single];
      for (const d of targets) {
        const label = commentText('bash', d && step.perDevice ? `${step.label} (${d.hostname})` : step.label);
        out.push(comment('bash', `Step ${n}: ${label}`));
        const ok = (step.okExitCodes ?? [0]).join(' ');
        out.push(
          `rs_run ${q(label, 'label')} ${q(ok, 'exit codes')} ${step.argv.map((t) => word(ctx, t, d)).join(' ')}`,
        );
      }
      return out;
    }
    case 'capture': {
      const label = commentText('bash', step.label);
      out.push(comment('bash', `Step ${n}: ${label}`));
      out.push(`${step.var}="$(${step.argv.map((t) => word(ctx, t, single)).join(' ')})"`);
      out.push(`if ! [[ $${step.var} =~ ${CAPTURE_RE[step.type]} ]]; then`);
      out.push(`  rs_log ${q(`${label}: unexpected answer, stopping`, 'label')}`);
      out.push('  exit 1');
      out.push('fi');
      out.push(`rs_log ${q(`${label}: `, 'label')}"$${step.var}"`);
      return out;
    }
  }
}

export function renderBash(ctx: RenderContext): string {
  const lines: string[] = ['#!/usr/bin/env bash'];
  for (const h of headerLines(ctx)) lines.push(comment('bash', h));
  for (const d of describe(ctx.route.description)) lines.push(comment('bash', d));
  lines.push('set -euo pipefail');
  lines.push(`RS_LOG="\${RS_LOG:-/var/tmp/${ctx.logName}}"`);
  if (ctx.route.steps.some((s) => s.op === 'delete-files')) lines.push('RS_ROOT="${RS_ROOT:-/mnt/windows}"');
  lines.push('rs_log() {');
  lines.push('  printf \'%s %s\\n\' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" | tee -a "$RS_LOG"');
  lines.push('}');
  lines.push(
    '# rs_run LABEL OK_CODES COMMAND...: runs the command as an argument list (no re-parsing) and logs its exit code.',
  );
  lines.push('rs_run() {');
  lines.push('  local label=$1 ok=$2 rc=0');
  lines.push('  shift 2');
  lines.push('  "$@" || rc=$?');
  lines.push('  rs_log "$label: exit code $rc"');
  lines.push('  case " $ok " in');
  lines.push('    *" $rc "*) return 0 ;;');
  lines.push('  esac');
  lines.push('  rs_log "FAILED: $label"');
  lines.push('  exit 1');
  lines.push('}');
  lines.push(
    `rs_log ${q(`==== ${ctx.playbook.id} v${ctx.playbook.version} ${ctx.route.id} generated ${ctx.generatedAt}`, 'text')}`,
  );
  ctx.route.steps.forEach((s, i) => {
    lines.push('');
    lines.push(...stepLines(ctx, s, i + 1));
  });
  lines.push('');
  lines.push("rs_log '==== finished'");
  return lines.join('\n') + '\n';
}
