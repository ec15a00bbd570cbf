// The CSV writer's rules one by one: which first characters are neutralised, which characters force quotes, line ends.
import { describe, expect, it } from 'vitest';
import { csvCell, csvQuote, csvRow, neutralise, toCsv } from '../../../../core/shared/csv.js';

describe('formula neutralising looks at the first character only', () => {
  it('each of = + - @ tab CR NUL at the start gets a leading apostrophe', () => {
    for (const ch of ['=', '+', '-', '@', '\t', '\r', '\0']) expect(neutralise(`${ch}x`)).toBe(`'${ch}x`);
  });

  it('the same characters later in the text, a line feed first, or a space first are left alone', () => {
    expect(neutralise('a=b+c-d@e')).toBe('a=b+c-d@e');
    expect(neutralise('\n=1')).toBe('\n=1');
    expect(neutralise(' =1')).toBe(' =1');
    expect(neutralise('')).toBe('');
    // A character between '+' and '@' in the class's neighbourhood is not part of it.
    expect(neutralise(',x')).toBe(',x');
    expect(neutralise('.x')).toBe('.x');
  });
});

describe('one cell', () => {
  it('null and undefined are empty; numbers and bigints are written as numbers, negative ones unprefixed', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(-12n)).toBe('-12');
  });

  it('other values are written as their text and neutralised like text', () => {
    expect(csvCell(true)).toBe('true');
    expect(csvCell({ toString: () => '=evil' })).toBe("'=evil");
    expect(csvCell('-12')).toBe("'-12");
  });

  it('a quote, comma, CR or LF anywhere forces double quotes, with quotes doubled; nothing else does', () => {
    expect(csvCell('a"b')).toBe('"a""b"');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a\rb')).toBe('"a\rb"');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell('a;b\tc')).toBe('a;b\tc');
    expect(csvCell('""')).toBe('""""""');
  });

  it('the apostrophe comes inside the quotes', () => {
    expect(csvCell('=a,b')).toBe(`"'=a,b"`);
  });
});

describe('plain RFC 4180 quoting (vendor files written as the vendor writes them)', () => {
  it('quotes for a quote, comma, CR or LF, never adds an apostrophe', () => {
    expect(csvQuote('=1+1')).toBe('=1+1');
    expect(csvQuote('-5')).toBe('-5');
    expect(csvQuote('a"b')).toBe('"a""b"');
    expect(csvQuote('a,b')).toBe('"a,b"');
    expect(csvQuote('a\rb')).toBe('"a\rb"');
    expect(csvQuote('a\nb')).toBe('"a\nb"');
    expect(csvQuote('a b;c')).toBe('a b;c');
  });
});

describe('rows and tables', () => {
  it('cells joined by commas; the table ends every line, the last too, with CRLF', () => {
    expect(csvRow(['a', 1, null, '=x'])).toBe("a,1,,'=x");
    expect(csvRow([])).toBe('');
    expect(
      toCsv(
        ['h1', 'h2'],
        [
          ['a', 'b'],
          [1, 2],
        ],
      ),
    ).toBe('h1,h2\r\na,b\r\n1,2\r\n');
    expect(toCsv(['only'], [])).toBe('only\r\n');
    expect(toCsv(['-h'], [])).toBe("'-h\r\n");
  });
});
