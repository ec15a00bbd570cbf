// Event kinds: the rollout states the analysis understands, and vendor states and event IDs mapped onto them.
import type { SourceFormat } from '../../contract/ingest.js';

/** Event kinds the analysis understands; vendor synonyms map onto them. */
const KINDS = new Set([
  'offered',
  'received',
  'downloading',
  'installing',
  'installed',
  'restart_required',
  'crashed',
  'rebooted',
  'recovered',
  'fixed',
  'failed',
  'paused',
  'rolled_back',
  'online',
]);
const KIND_ALIAS: Record<string, string> = {
  rolledback: 'rolled_back',
  rollback: 'rolled_back',
  restartrequired: 'restart_required',
  pendingrestart: 'restart_required',
  succeeded: 'installed',
  success: 'installed',
  error: 'failed',
  bugcheck: 'crashed',
  crash: 'crashed',
  reboot: 'rebooted',
};

export function normKind(raw: string): string | null {
  const s = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (KINDS.has(s)) return s;
  return KIND_ALIAS[s.replace(/_/g, '')] ?? null;
}

/** Bugcheck code from an event message or Event 41 data: `0x00000050` (1001) or decimal `BugcheckCode 80` (41). */
function bugcheck(text: string): string | null {
  let m = /bug ?check[^0-9]*?(0x[0-9a-f]+)/i.exec(text);
  if (m)
    return (
      '0x' +
      m[1]!
        .slice(2)
        .replace(/^0+(?=.)/, '')
        .toUpperCase()
    );
  m = /BugcheckCode\D{0,5}(\d+)/i.exec(text);
  if (m && m[1] !== '0') return '0x' + Number(m[1]).toString(16).toUpperCase();
  return null;
}

/** Vendor states onto event kinds: WUfB substates, ConfigMgr EnforcementState, Autopatch status, event IDs. */
export function vendorKind(
  format: SourceFormat,
  raw: string,
  detail: string,
): { kind: string | null; detail: string | null } {
  const s = raw.trim();
  if (format === 'events') {
    const code = bugcheck(detail);
    if (s === '1001')
      return { kind: 'crashed', detail: code ? `BugCheck ${code} (event 1001)` : 'bugcheck (event 1001)' };
    if (s === '41')
      return code
        ? { kind: 'crashed', detail: `BugCheck ${code} (event 41)` }
        : { kind: 'rebooted', detail: 'unclean restart (event 41)' };
    if (s === '6008') return { kind: 'rebooted', detail: 'unexpected shutdown (event 6008)' };
    return { kind: null, detail: null };
  }
  if (format === 'configmgr' && /^\d+$/.test(s)) {
    const n = Number(s);
    const kind =
      n >= 1000 && n < 2000
        ? 'installed'
        : n === 2003 || n === 2004
          ? 'restart_required'
          : n >= 2000 && n < 3000
            ? 'installing'
            : n >= 5000 && n < 6000
              ? 'failed'
              : n >= 3000 && n < 5000
                ? 'offered'
                : null;
    return { kind, detail: `EnforcementState ${n}` };
  }
  const direct = normKind(s);
  if (direct) return { kind: direct, detail: null };
  const l = s.toLowerCase();
  // "Not up to date" (Autopatch) before "up to date": it means offered and not yet installed.
  const kind = /fail|error|cancel/.test(l)
    ? 'failed'
    : /not up ?to ?date/.test(l)
      ? 'offered'
      : /roll ?back|uninstall/.test(l)
        ? 'rolled_back'
        : /paus/.test(l)
          ? 'paused'
          : /reboot|restart/.test(l)
            ? 'restart_required'
            : /installed|complete|up to date|uptodate|success|commit/.test(l)
              ? 'installed'
              : /install/.test(l)
                ? 'installing'
                : /download|offer|progress|pending|scheduled|waiting|received/.test(l)
                  ? 'offered'
                  : /warning|informational/.test(l)
                    ? 'offered'
                    : null;
  return { kind, detail: null };
}
