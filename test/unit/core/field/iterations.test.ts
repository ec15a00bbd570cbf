// A pack header edited to ask for a huge PBKDF2 iteration count is refused at once (#19 finding 9), not derived for ~45 min.
import { beforeAll, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { decryptPack, MAX_ITERATIONS } from '../../../../core/field/format.js';
import { createPack } from '../../../../core/field/packs.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { fieldWorkspace, T0 } from './helpers.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

test('an edited header with 2,000,000,000 iterations is refused in well under a second', async () => {
  const ws = await fieldWorkspace(SQL);
  const pass = 'correct horse battery staple';
  const pack = await createPack(ws, { site: 'LON', passphrase: pass, expiresAt: '2024-07-26' });
  const text = new TextDecoder('latin1').decode(pack.bytes);
  const edited = text.replace('"iterations":600000', '"iterations":2000000000');
  expect(edited).not.toBe(text);
  const bytes = Uint8Array.from(edited, (c) => c.charCodeAt(0));
  const t = performance.now();
  await expect(decryptPack(bytes, pass, T0)).rejects.toThrow(
    new RegExp(`asks for 2000000000 PBKDF2 iterations, more than the ${MAX_ITERATIONS}`),
  );
  expect(performance.now() - t).toBeLessThan(1000);
  // Just on the bound is still read (then refused by the authenticated header, since the header changed).
  const onBound = Uint8Array.from(text.replace('"iterations":600000', `"iterations":${MAX_ITERATIONS}`), (c) =>
    c.charCodeAt(0),
  );
  await expect(decryptPack(onBound, pass, T0)).rejects.toThrow(/Wrong passphrase, or the pack file was altered/);
});
