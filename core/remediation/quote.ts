// Second safety layer: quoting per target shell, and free text reduced to a harmless comment. Refuses what it cannot quote.
import { describeChar, firstBadChar } from './validate.js';

export type Shell = 'cmd' | 'powershell' | 'bash';

export type Quoted = { ok: true; text: string } | { ok: false; code: string; reason: string };

/** Thrown when a caller quotes a value the shell cannot carry; generation turns it into a refusal. */
export class QuoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'QuoteError';
  }
}

/** Unpaired UTF-16 surrogates cannot be written as UTF-8, so the bytes would not round-trip. */
function badSurrogate(value: string): number {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = value.charCodeAt(i + 1);
      if (n >= 0xdc00 && n <= 0xdfff) {
        i++;
        continue;
      }
      return i + 1;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i + 1;
  }
  return 0;
}

/** bash: one single-quoted word; `'` becomes `'\''`. NUL cannot be an argument, so it is refused. */
export function bashQuote(value: string): Quoted {
  if (value.includes('\0')) return { ok: false, code: 'nul', reason: 'contains NUL (U+0000), which bash cannot carry' };
  const s = badSurrogate(value);
  if (s) return { ok: false, code: 'encoding', reason: `contains an unpaired surrogate at position ${s}` };
  return { ok: true, text: `'${value.replace(/'/g, `'\\''`)}'` };
}

/** The five code points PowerShell's tokenizer treats as a single quote (codegen.cs IsSingleQuote). */
export const PS_SINGLE_QUOTES = ['\u0027', '\u2018', '\u2019', '\u201A', '\u201B'] as const;
const PS_QUOTE_RE = /['\u2018\u2019\u201A\u201B]/g;

/**
 * PowerShell: a verbatim single-quoted string with every single-quote code point doubled, as
 * EscapeSingleQuotedStringContent does. Control characters are refused: a script file may have its
 * line ends rewritten on the way to the machine, and then the value would no longer be the same bytes.
 */
export function psQuote(value: string): Quoted {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is being refused
  const bad = firstBadChar(value, /[^\u0000-\u001f\u007f\u0085\u2028\u2029]/u);
  if (bad)
    return {
      ok: false,
      code: 'control-char',
      reason: `contains ${describeChar(bad.ch)}, which is not carried into PowerShell`,
    };
  const s = badSurrogate(value);
  if (s) return { ok: false, code: 'encoding', reason: `contains an unpaired surrogate at position ${s}` };
  return { ok: true, text: `'${value.replace(PS_QUOTE_RE, (q) => q + q)}'` };
}

/**
 * cmd/batch: there is no quoting that is right in every case (BatBadBut), so only `[A-Za-z0-9._-]` values
 * are accepted and written as plain words; anything else is refused with the offending character named.
 */
export function batchToken(value: string): Quoted {
  if (value.length === 0) return { ok: false, code: 'empty', reason: 'is empty' };
  const bad = firstBadChar(value, /[A-Za-z0-9._-]/);
  if (bad)
    return {
      ok: false,
      code: 'batch-char',
      reason: `contains ${describeChar(bad.ch)} at position ${bad.at}; a batch script only accepts letters, digits, '.', '_' and '-'`,
    };
  if (value.length > 512) return { ok: false, code: 'too-long', reason: 'is longer than 512 characters' };
  return { ok: true, text: value };
}

export function quote(shell: Shell, value: string): Quoted {
  if (shell === 'bash') return bashQuote(value);
  if (shell === 'powershell') return psQuote(value);
  return batchToken(value);
}

/** quote() that throws a QuoteError naming the field, for renderers whose inputs were validated already. */
export function mustQuote(shell: Shell, value: string, field: string): string {
  const q = quote(shell, value);
  if (!q.ok) throw new QuoteError(q.code, `${field} ${q.reason}`);
  return q.text;
}

const COMMENT_MAX = 200;

/**
 * Free text (site names, notes, playbook descriptions) as the body of a one-line comment. Line breaks and
 * control characters become spaces; batch comments keep only a small safe set because `%`, `!` and a
 * trailing `^` act even inside `rem`. The result never ends a comment early or continues onto the next line.
 */
export function commentText(shell: Shell | 'text', text: string, max = COMMENT_MAX): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is being removed
  let s = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  // No '?' either: `rem /?` prints help instead of being a comment.
  // A menu path (Troubleshoot > Advanced options) keeps its meaning as ' / ' rather than becoming '_'.
  if (shell === 'cmd') s = s.replace(/ > /g, ' / ').replace(/[^A-Za-z0-9 ._,:;/\\@#+='()[\]{}*-]/g, '_');
  else if (shell === 'powershell') s = s.replace(/#>/g, '# >').replace(/<#/g, '< #');
  s = s.replace(/ {2,}/g, ' ').trim();
  if ([...s].length > max) s = `${[...s].slice(0, max - 1).join('')}…`;
  if (shell === 'cmd') s = s.replace(/…$/, '...');
  return s;
}

/** A full comment line for the shell. */
export function comment(shell: Shell, text: string): string {
  const body = commentText(shell, text);
  if (shell === 'cmd') return body ? `rem ${body}` : 'rem';
  return body ? `# ${body}` : '#';
}
