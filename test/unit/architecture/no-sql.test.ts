// SQL lives in core/store/ (named queries per entity) and the migrations only: a statement anywhere else fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Files outside core/store/ that still hold SQL today. Each is in another helper's lane of the core-layout work and
 * leaves this list when its SQL moves into a repository; an entry whose file no longer holds SQL fails the test, so
 * the list can only shrink.
 */
const ALLOWLIST: readonly string[] = [];

/** Statement shapes, matched case-sensitively on string and template text (SQL here is written in capitals). */
const STATEMENTS: readonly [string, RegExp][] = [
  ['SELECT … FROM', /\bSELECT\b[\s\S]*?\bFROM\b/],
  ['INSERT INTO', /\bINSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\b/],
  ['UPDATE … SET', /\bUPDATE\s+[\w.$]+\s+SET\b/],
  ['DELETE FROM', /\bDELETE\s+FROM\b/],
  ['CREATE/DROP', /\b(?:CREATE|DROP)\s+(?:TEMP\s+|TEMPORARY\s+|UNIQUE\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\b/],
  ['PRAGMA', /\bPRAGMA\s+[a-z_]+/],
];

function sourceFiles(dir: string): string[] {
  const abs = path.join(root, dir);
  return readdirSync(abs).flatMap((name) => {
    const rel = path.posix.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(rel);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [rel] : [];
  });
}

const exempt = (rel: string) => rel.startsWith('core/store/') || rel.split('/').includes('migrations');

/**
 * Every SQL statement in a file's string and template literals, as "file:line (shape)". A template's substitutions
 * become a placeholder word, so `UPDATE ${table} SET` is still seen; comments are never read.
 */
export function sqlIn(rel: string, text: string): string[] {
  const sf = ts.createSourceFile(
    rel,
    text,
    ts.ScriptTarget.Latest,
    true,
    rel.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const hits: string[] = [];
  const check = (node: ts.Node, literal: string) => {
    for (const [shape, re] of STATEMENTS) {
      const m = re.exec(literal);
      if (!m) continue;
      const before = literal.slice(0, m.index).split('\n').length - 1;
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 + before;
      hits.push(`${rel}:${line} (${shape})`);
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) check(node, node.text);
    else if (ts.isTemplateExpression(node)) {
      check(node, node.head.text + node.templateSpans.map((s) => ' x ' + s.literal.text).join(''));
      node.templateSpans.forEach((s) => visit(s.expression));
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return hits;
}

const files = ['core', 'electron', 'renderer'].flatMap(sourceFiles).filter((f) => !exempt(f));

describe('no SQL outside core/store and the migrations', () => {
  it('finds the statement shapes it guards (the scanner itself can fail)', () => {
    const src = [
      "const a = 'SELECT id FROM devices';",
      '// SELECT id FROM devices: a comment is not SQL',
      'const b = `UPDATE ${t} SET n = 1`;',
      "const c = 'Select a device from the list';",
      'const d = `\n  DELETE FROM x`;',
    ].join('\n');
    expect(sqlIn('probe.ts', src)).toEqual([
      'probe.ts:1 (SELECT … FROM)',
      'probe.ts:3 (UPDATE … SET)',
      'probe.ts:6 (DELETE FROM)',
    ]);
  });

  it('has no SQL statement in core/, electron/ or renderer/ outside the allowlist', () => {
    const found = files
      .filter((f) => !ALLOWLIST.includes(f))
      .flatMap((f) => sqlIn(f, readFileSync(path.join(root, f), 'utf8')));
    expect(found, `move these into a repository in core/store/:\n${found.join('\n')}`).toEqual([]);
  });

  it('lists only files that still hold SQL (the allowlist shrinks as the work lands)', () => {
    const stale = ALLOWLIST.filter(
      (f) => !files.includes(f) || sqlIn(f, readFileSync(path.join(root, f), 'utf8')).length === 0,
    );
    expect(stale, 'remove these from ALLOWLIST').toEqual([]);
  });
});
