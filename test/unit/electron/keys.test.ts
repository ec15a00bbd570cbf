// Workspace keys at rest: safeStorage (async API first), passphrase wrapping where Linux offers only basic_text.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  chooseKeyProtection,
  DesktopKeyStore,
  KeyUnavailableError,
  PassphraseWrapper,
  SafeStorageWrapper,
  TaggedKeyWrapper,
  type SafeStorageLike,
} from '../../../electron/host/keys.js';
import { FileKeyStore } from '../../../electron/node/keystore.js';

const ITER = 1_000; // the real count (600k) is slow by design; the format is the same
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ringside-keys-'));
const ID = '11111111-2222-4333-8444-555555555555';

function fakeSafe(over: Partial<SafeStorageLike> = {}): SafeStorageLike & { calls: string[] } {
  const calls: string[] = [];
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  return {
    calls,
    isEncryptionAvailable: () => true,
    encryptString: (s) => (calls.push('sync-enc'), xor(Buffer.from(s))),
    decryptString: (b) => (calls.push('sync-dec'), xor(b).toString()),
    isAsyncEncryptionAvailable: async () => true,
    encryptStringAsync: async (s) => (calls.push('async-enc'), xor(Buffer.from(s))),
    decryptStringAsync: async (b) => (calls.push('async-dec'), { result: xor(b).toString(), shouldReEncrypt: false }),
    getSelectedStorageBackend: () => 'gnome_libsecret',
    ...over,
  };
}

describe('choosing the protection', () => {
  it('does not trust basic_text (or an unknown backend) on Linux: passphrase instead', async () => {
    expect(await chooseKeyProtection(fakeSafe({ getSelectedStorageBackend: () => 'basic_text' }), 'linux')).toBe(
      'passphrase',
    );
    expect(await chooseKeyProtection(fakeSafe({ getSelectedStorageBackend: () => 'unknown' }), 'linux')).toBe(
      'passphrase',
    );
    expect(await chooseKeyProtection(fakeSafe({ getSelectedStorageBackend: () => 'kwallet6' }), 'linux')).toBe('safe');
    expect(await chooseKeyProtection(fakeSafe(), 'win32')).toBe('safe');
    expect(await chooseKeyProtection(fakeSafe(), 'darwin')).toBe('safe');
  });

  it('uses a passphrase wherever no encryption is available', async () => {
    const none = fakeSafe({ isEncryptionAvailable: () => false, isAsyncEncryptionAvailable: async () => false });
    expect(await chooseKeyProtection(none, 'win32')).toBe('passphrase');
  });
});

describe('safeStorage wrapper', () => {
  it('prefers the async API and round-trips the key', async () => {
    const safe = fakeSafe();
    const w = new SafeStorageWrapper(safe);
    const raw = new Uint8Array(32).map((_, i) => i);
    const wrapped = await w.wrap(raw);
    expect(Buffer.from(wrapped).includes(Buffer.from(raw))).toBe(false);
    expect(await w.unwrap(wrapped)).toEqual(raw);
    expect(safe.calls).toEqual(['async-enc', 'async-dec']);
  });

  it('falls back to the sync API when the async one is missing', async () => {
    const safe = fakeSafe({
      isAsyncEncryptionAvailable: undefined,
      encryptStringAsync: undefined,
      decryptStringAsync: undefined,
    });
    const w = new SafeStorageWrapper(safe);
    expect(await w.unwrap(await w.wrap(new Uint8Array(32).fill(9)))).toEqual(new Uint8Array(32).fill(9));
    expect(safe.calls).toEqual(['sync-enc', 'sync-dec']);
  });
});

describe('passphrase wrapper', () => {
  it('asks once per session to create, and unlocks with the same passphrase', async () => {
    const ask = vi.fn(async () => 'correct horse battery');
    const w = new PassphraseWrapper(ask, ITER);
    const raw = new Uint8Array(32).fill(3);
    const a = await w.wrap(raw);
    const b = await w.wrap(raw);
    expect(ask).toHaveBeenCalledTimes(1);
    expect(ask).toHaveBeenCalledWith({ purpose: 'create', retry: false });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false); // fresh salt and IV each time
    expect(await new PassphraseWrapper(async () => 'correct horse battery', ITER).unwrap(a)).toEqual(raw);
  });

  it('refuses a weak new passphrase with the estimator feedback and a suggestion, then takes a strong one', async () => {
    const answers = ['aaaaaaaa', 'workspace1', 'correct horse battery'];
    const ask = vi.fn(async (_req: { purpose: string; retry: boolean; weak?: string }) => answers.shift() ?? null);
    const w = new PassphraseWrapper(ask, ITER);
    const wrapped = await w.wrap(new Uint8Array(32).fill(6));
    const reqs = ask.mock.calls.map((c) => c[0]);
    expect(reqs).toHaveLength(3);
    expect(reqs[0]).toEqual({ purpose: 'create', retry: false });
    for (const r of reqs.slice(1)) {
      expect(r.weak).toMatch(/^That passphrase is too easy to guess \(strength [0-2] of 4, at least 3 needed\)/);
      expect(r.weak).toMatch(/For example: [a-z]+(-[a-z]+){5}$/);
    }
    expect(await new PassphraseWrapper(async () => 'correct horse battery', ITER).unwrap(wrapped)).toEqual(
      new Uint8Array(32).fill(6),
    );
    // Only weak answers: the key stays locked after a few tries, nothing wrapped.
    const never = vi.fn(async () => 'aaaaaaaa');
    await expect(new PassphraseWrapper(never, ITER).wrap(new Uint8Array(32))).rejects.toThrow(/no strong enough/);
    expect(never).toHaveBeenCalledTimes(6);
  });

  it('asks again after a wrong passphrase and gives up after three', async () => {
    const wrapped = await new PassphraseWrapper(async () => 'right one for the night shift', ITER).wrap(
      new Uint8Array(32).fill(1),
    );
    const answers = ['wrong', 'right one for the night shift'];
    const ask = vi.fn(async (_req: { purpose: string; retry: boolean }) => answers.shift() ?? null);
    expect(await new PassphraseWrapper(ask, ITER).unwrap(wrapped)).toEqual(new Uint8Array(32).fill(1));
    expect(ask.mock.calls.map((c) => c[0])).toEqual([
      { purpose: 'unlock', retry: false },
      { purpose: 'unlock', retry: true },
    ]);
    await expect(new PassphraseWrapper(async () => 'nope', ITER).unwrap(wrapped)).rejects.toThrow(
      /wrong passphrase 3 times/,
    );
    await expect(new PassphraseWrapper(async () => null, ITER).unwrap(wrapped)).rejects.toBeInstanceOf(
      KeyUnavailableError,
    );
  });

  it('a key wrapped by safeStorage is refused, not mis-decrypted, when only a passphrase is available', async () => {
    const safe = new SafeStorageWrapper(fakeSafe());
    const pass = new PassphraseWrapper(async () => 'pw-pw-pw-pw-kestrel-orbit', ITER);
    const wrapped = await safe.wrap(new Uint8Array(32).fill(4));
    await expect(new TaggedKeyWrapper('passphrase', safe, pass).unwrap(wrapped)).rejects.toThrow(/OS keychain/);
    // The other way round works: a passphrase-wrapped key is still readable once a keychain appears.
    const byPass = await pass.wrap(new Uint8Array(32).fill(5));
    expect(await new TaggedKeyWrapper('safe', safe, pass).unwrap(byPass)).toEqual(new Uint8Array(32).fill(5));
  });
});

describe('desktop key store', () => {
  it('stores keys only wrapped, 0600, and adopts the CLI key for a workspace the CLI created', async () => {
    const dir = tmp();
    const cliDir = path.join(dir, 'cli');
    const cliKey = await new FileKeyStore(cliDir).get(ID);
    const store = new DesktopKeyStore(
      path.join(dir, 'app'),
      new TaggedKeyWrapper('safe', new SafeStorageWrapper(fakeSafe()), new PassphraseWrapper(async () => null, ITER)),
      cliDir,
    );
    expect(await store.get(ID)).toEqual(cliKey);
    // Adopted: the CLI's raw key file is gone, the wrapped copy stays.
    expect(existsSync(path.join(cliDir, `${ID}.key`))).toBe(false);
    const file = path.join(dir, 'app', `${ID}.key`);
    const onDisk = readFileSync(file);
    expect(onDisk.subarray(0, 4).toString()).toBe('RSK1');
    expect(onDisk.includes(Buffer.from(cliKey))).toBe(false);
    if (process.platform !== 'win32') expect((await import('node:fs')).statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.get(ID)).toEqual(cliKey);

    const other = '99999999-2222-4333-8444-555555555555';
    const fresh = await store.get(other);
    expect(fresh).toHaveLength(32);
    expect(await store.get(other)).toEqual(fresh);
    expect(readdirSync(path.join(dir, 'app')).sort()).toEqual([`${ID}.key`, `${other}.key`].sort());
  });
});
