// The quoting rules one by one, each at its edges: surrogate pairs, control-character ranges, the batch length cap, comments.
import { describe, expect, it } from 'vitest';
import {
  QuoteError,
  batchToken,
  bashQuote,
  comment,
  commentText,
  mustQuote,
  psQuote,
  quote,
} from '../../../../core/remediation/quote.js';

describe('unpaired surrogates are refused (they cannot be written as UTF-8)', () => {
  it('a proper pair is carried by both shells', () => {
    // U+1F600 is the pair D83D DE00.
    expect(bashQuote('a\uD83D\uDE00b')).toEqual({ ok: true, text: "'a\uD83D\uDE00b'" });
    expect(psQuote('\uD83D\uDE00')).toEqual({ ok: true, text: "'\uD83D\uDE00'" });
  });

  it('a high surrogate at the end, before a plain letter, or a lone low one: refused at its 1-based position', () => {
    expect(bashQuote('ab\uD83D')).toEqual({
      ok: false,
      code: 'encoding',
      reason: 'contains an unpaired surrogate at position 3',
    });
    expect(bashQuote('\uD83Dx')).toMatchObject({
      ok: false,
      code: 'encoding',
      reason: expect.stringMatching(/position 1$/),
    });
    expect(bashQuote('x\uDE00')).toMatchObject({
      ok: false,
      code: 'encoding',
      reason: expect.stringMatching(/position 2$/),
    });
    expect(psQuote('\uDE00')).toEqual({
      ok: false,
      code: 'encoding',
      reason: 'contains an unpaired surrogate at position 1',
    });
    // After a pair (positions 1-2) the scan goes on: the lone low surrogate is the 3rd unit.
    expect(bashQuote('\uD83D\uDE00\uDE00')).toMatchObject({ ok: false, reason: expect.stringMatching(/position 3$/) });
    // Two high surrogates: the first is unpaired.
    expect(bashQuote('\uD83D\uD83D\uDE00')).toMatchObject({ ok: false, reason: expect.stringMatching(/position 1$/) });
  });

  it('the edges of both surrogate ranges (D800, DBFF high; DC00, DFFF low) and their neighbours', () => {
    expect(bashQuote('\uD800\uDC00').ok).toBe(true);
    expect(bashQuote('\uDBFF\uDFFF').ok).toBe(true);
    expect(bashQuote('\uD800').ok).toBe(false);
    expect(bashQuote('\uDBFF').ok).toBe(false);
    expect(bashQuote('\uDC00').ok).toBe(false);
    expect(bashQuote('\uDFFF').ok).toBe(false);
    // Just outside: U+D7FF and U+E000 are ordinary characters.
    expect(bashQuote('\uD7FF\uE000')).toEqual({ ok: true, text: "'\uD7FF\uE000'" });
    // A high surrogate followed by a character just outside the low range is unpaired.
    expect(bashQuote('\uD800\uDBFF').ok).toBe(false);
    expect(bashQuote('\uD800\uE000').ok).toBe(false);
  });
});

describe('bash quoting', () => {
  it('every single quote is closed, escaped and reopened; nothing else is touched', () => {
    expect(bashQuote("a'b'c")).toEqual({ ok: true, text: "'a'\\''b'\\''c'" });
    expect(bashQuote('$(rm -rf /) `x` "y" \\')).toEqual({ ok: true, text: '\'$(rm -rf /) `x` "y" \\\'' });
    expect(bashQuote('')).toEqual({ ok: true, text: "''" });
  });

  it('NUL is refused with its reason', () => {
    expect(bashQuote('\0')).toEqual({
      ok: false,
      code: 'nul',
      reason: 'contains NUL (U+0000), which bash cannot carry',
    });
  });
});

describe('PowerShell quoting refuses control characters', () => {
  it('C0 (U+0000 to U+001F), DEL, NEL, LS and PS are refused; the characters beside them are kept', () => {
    for (const ch of ['\u0000', '\u0009', '\u001f', '\u007f', '\u0085', '\u2028', '\u2029']) {
      expect(psQuote(`a${ch}b`)).toMatchObject({ ok: false, code: 'control-char' });
    }
    for (const ch of ['\u0020', '\u007e', '\u0080', '\u0084', '\u0086', '\u2027', '\u202a']) {
      expect(psQuote(`a${ch}b`)).toEqual({ ok: true, text: `'a${ch}b'` });
    }
  });

  it('the refusal names the character', () => {
    const r = psQuote('a\tb');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/^contains .*U\+0009.*, which is not carried into PowerShell$/);
    }
  });

  it('only the five single-quote code points are doubled, not double quotes or backticks', () => {
    expect(psQuote('`$x"\u201C')).toEqual({ ok: true, text: "'`$x\"\u201C'" });
    expect(psQuote("''")).toEqual({ ok: true, text: "''''''" });
  });
});

describe('batch tokens', () => {
  it('512 characters is the longest accepted; 513 is refused as too long', () => {
    const at = 'a'.repeat(512);
    expect(batchToken(at)).toEqual({ ok: true, text: at });
    expect(batchToken(`${at}b`)).toEqual({ ok: false, code: 'too-long', reason: 'is longer than 512 characters' });
  });

  it('empty is refused as empty; a bad character is refused with its 1-based position', () => {
    expect(batchToken('')).toEqual({ ok: false, code: 'empty', reason: 'is empty' });
    const r = batchToken('a b');
    expect(r).toMatchObject({ ok: false, code: 'batch-char' });
    if (!r.ok) {
      expect(r.reason).toContain('at position 2');
      expect(r.reason).toContain("a batch script only accepts letters, digits, '.', '_' and '-'");
    }
  });

  it('a bad character in a too-long value is reported as the bad character', () => {
    expect(batchToken(`${'a'.repeat(600)}&`)).toMatchObject({ ok: false, code: 'batch-char' });
  });
});

describe('quote() picks the shell', () => {
  it('bash, PowerShell and cmd each get their own quoting', () => {
    expect(quote('bash', "x'")).toEqual({ ok: true, text: "'x'\\'''" });
    expect(quote('powershell', "x'")).toEqual({ ok: true, text: "'x'''" });
    expect(quote('cmd', 'x')).toEqual({ ok: true, text: 'x' });
    expect(quote('cmd', "x'")).toMatchObject({ ok: false, code: 'batch-char' });
  });
});

describe('mustQuote', () => {
  it('returns the quoted text, or throws a QuoteError carrying the code and the field name', () => {
    expect(mustQuote('bash', 'PC-1', 'hostname')).toBe("'PC-1'");
    let caught: unknown;
    try {
      mustQuote('cmd', '', 'hostname');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(QuoteError);
    expect(caught).toBeInstanceOf(Error);
    const e = caught as QuoteError;
    expect(e.code).toBe('empty');
    expect(e.message).toBe('hostname is empty');
    expect(e.name).toBe('QuoteError');
  });
});

describe('comment text', () => {
  it('C0, DEL, C1 (U+0080 to U+009F), LS and PS become spaces; U+00A0 and after are kept', () => {
    expect(commentText('bash', 'a\u0000b\u001fc\u007fd\u0080e\u009ff\u2028g\u2029h')).toBe('a b c d e f g h');
    expect(commentText('bash', 'a\u00a0b\u2027c')).toBe('a\u00a0b\u2027c');
  });

  it('runs of spaces become one and the ends are trimmed', () => {
    expect(commentText('text', '  a   b \n\n c  ')).toBe('a b c');
  });

  it('cmd: " > " becomes " / ", other characters outside the safe set become "_"', () => {
    expect(commentText('cmd', 'Troubleshoot > Advanced options')).toBe('Troubleshoot / Advanced options');
    expect(commentText('cmd', 'a>b')).toBe('a_b');
    expect(commentText('cmd', "a.b_c,d:e;f/g\\h@i#j+k='l'(m)[n]{o}*p-q")).toBe(
      "a.b_c,d:e;f/g\\h@i#j+k='l'(m)[n]{o}*p-q",
    );
    expect(commentText('cmd', '%x!y^z&|"<?é')).toBe('_x_y_z______');
    // The other shells keep them.
    expect(commentText('bash', 'a > b %x')).toBe('a > b %x');
  });

  it('PowerShell: block-comment delimiters are broken up, other shells keep them', () => {
    expect(commentText('powershell', '<#a#>')).toBe('< #a# >');
    expect(commentText('bash', '<#a#>')).toBe('<#a#>');
  });

  it('exactly max characters are kept; one more is cut to max-1 plus an ellipsis (three dots in cmd)', () => {
    expect(commentText('bash', 'abcde', 5)).toBe('abcde');
    expect(commentText('bash', 'abcdef', 5)).toBe('abcd…');
    expect(commentText('cmd', 'abcdef', 5)).toBe('abcd...');
    expect(commentText('text', 'x'.repeat(200))).toBe('x'.repeat(200));
    expect(commentText('text', 'x'.repeat(201))).toBe(`${'x'.repeat(199)}…`);
    // Counted in code points: a pair is one character.
    expect(commentText('bash', '\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00', 3)).toBe('\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00');
    // cmd cannot carry a typed ellipsis either.
    expect(commentText('cmd', 'a…')).toBe('a_');
  });

  it('a full comment line per shell, and an empty one when nothing is left', () => {
    expect(comment('cmd', ' x ')).toBe('rem x');
    expect(comment('bash', ' x ')).toBe('# x');
    expect(comment('powershell', 'x')).toBe('# x');
    expect(comment('cmd', '\r\n')).toBe('rem');
    expect(comment('bash', '')).toBe('#');
    expect(comment('powershell', '  ')).toBe('#');
  });
});
