// Weak pack passphrases are refused with the estimator's feedback and a generated suggestion, before anything is read or written.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dictionary } from '@zxcvbn-ts/language-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPack } from '../../../../core/field/packs.js';
import { MIN_SCORE, passphraseStrength, suggestPassphrase } from '../../../../core/secrets/passphrase.js';
import { main } from '../../../../electron/cli.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { fieldWorkspace } from '../field/helpers.js';

const WEAK = ['aaaaaaaaaaaa', ' '.repeat(12), 'password1234', 'qwertyuiop12', 'ringsideLON1', 'LONLONLONLON'];

describe('the estimator', () => {
  it('scores the issue weak passphrases below 3 and long random ones at 3 or more', () => {
    for (const p of WEAK) expect(passphraseStrength(p, ['ringside', 'LON']).score, p).toBeLessThan(MIN_SCORE);
    expect(passphraseStrength('correct horse battery staple').ok).toBe(true);
    // Feedback is the estimator's own words.
    expect(passphraseStrength('aaaaaaaaaaaa').warning).toMatch(/repeat/i);
  });

  it('suggestions are 6 words of the EFF list, drawn at random, and pass the estimator', () => {
    const list = new Set(dictionary['diceware-common']);
    expect(list.size).toBe(7776);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const s = suggestPassphrase();
      const words = s.split('-');
      expect(words).toHaveLength(6);
      for (const w of words) expect(list.has(w), w).toBe(true);
      expect(passphraseStrength(s).ok, s).toBe(true);
      seen.add(s);
    }
    expect(seen.size).toBe(50);
  });
});

describe('pack create', () => {
  it('refuses each weak passphrase with feedback and a suggestion; the workspace is unchanged', async () => {
    const ws = await fieldWorkspace(await loadSqlJs());
    const snapshot = () => ({
      packs: ws.db.value<number>('SELECT COUNT(*) FROM packs'),
      audit: ws.db.value<number>('SELECT COUNT(*) FROM audit'),
    });
    const was = snapshot();
    for (const p of WEAK) {
      const err = await createPack(ws, { site: 'LON', passphrase: p, expiresAt: '2024-07-26' }).then(
        () => '',
        (e: Error) => e.message,
      );
      expect(err, p).toMatch(/^the pack passphrase is too easy to guess \(strength [0-2] of 4, at least 3 needed\)/);
      expect(err).toMatch(/For example: [a-z]+(-[a-z]+){5}$/);
      expect(snapshot()).toEqual(was);
    }
    ws.db.close();
  });
});

describe('ringside pack create --passphrase-file', () => {
  let dir: string;
  const prevHome = process.env.RINGSIDE_HOME;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-pass-'));
    process.env.RINGSIDE_HOME = path.join(dir, 'home');
  });
  afterAll(() => {
    process.env.RINGSIDE_HOME = prevHome;
    rmSync(dir, { recursive: true, force: true });
  });
  const cli = async (...argv: string[]) => {
    let out = '';
    const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (out += `${t}\n`) });
    return { code, out };
  };

  it('a weak passphrase file is refused, nothing written; a suggested one works', async () => {
    const ws = path.join(dir, 'w.ringside');
    expect((await cli('sample', ws, '--devices', '300', '--seed', '3')).code).toBe(0);
    const before = readFileSync(ws);
    const expires = new Date(Date.now() + 5 * 864e5).toISOString().slice(0, 10);
    const args = (pass: string, out: string) => {
      writeFileSync(path.join(dir, 'pass.txt'), `${pass}\n`);
      const f = path.join(dir, out);
      return ['pack', 'create', ws, '--site', 'LON', '--passphrase-file', path.join(dir, 'pass.txt')].concat([
        '--expires',
        expires,
        '--out',
        f,
      ]);
    };
    const weak = await cli(...args('aaaaaaaaaaaa', 'weak.ringpack'));
    expect(weak.code).toBe(1);
    expect(weak.out).toMatch(/the pack passphrase is too easy to guess \(strength 0 of 4/);
    expect(existsSync(path.join(dir, 'weak.ringpack'))).toBe(false);
    expect(readFileSync(ws).equals(before)).toBe(true);
    const suggested = weak.out.match(/For example: ([a-z-]+)/)![1]!;
    const good = await cli(...args(suggested, 'good.ringpack'));
    expect(good.code, good.out).toBe(0);
    expect(existsSync(path.join(dir, 'good.ringpack'))).toBe(true);
  });
});
