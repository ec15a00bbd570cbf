// Workspace keys at rest in the desktop app: wrapped by the OS keychain (safeStorage) or, where that is only
// obfuscation (Linux `basic_text`), by a passphrase the user types (PBKDF2-SHA256 + AES-256-GCM).
import { createCipheriv, createDecipheriv, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { FileKeyStore, type KeyWrapper } from '../node/keystore.js';
import { passphraseStrength, weakPassphraseMessage } from '../../core/secrets/passphrase.js';

const pbkdf2Async = promisify(pbkdf2);

/** The subset of Electron's safeStorage used here (injected so tests need no Electron). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(enc: Buffer): string;
  isAsyncEncryptionAvailable?(): Promise<boolean>;
  encryptStringAsync?(plain: string): Promise<Buffer>;
  decryptStringAsync?(enc: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  getSelectedStorageBackend?(): string;
}

/** Asks the user for the passphrase; `retry` is set after a wrong one. Null when the user cancels. */
export type AskPassphrase = (req: {
  purpose: 'create' | 'unlock';
  retry: boolean;
  /** Why the last passphrase chosen was refused (the estimator's feedback and a suggestion). */
  weak?: string;
}) => Promise<string | null>;

/** Times a new passphrase may be refused as weak before the key stays locked. */
const MAX_WEAK = 5;

export class KeyUnavailableError extends Error {}

// Wrapped files start with a tag so a key wrapped one way is still read after the backend changes.
const MAGIC = Buffer.from('RSK1', 'ascii');
const KIND_SAFE = 1;
const KIND_PASS = 2;
export const PBKDF2_ITERATIONS = 600_000;
const MAX_TRIES = 3;

function tagged(kind: number, body: Uint8Array): Uint8Array {
  return Buffer.concat([MAGIC, Buffer.from([kind]), Buffer.from(body)]);
}

function untag(data: Uint8Array): { kind: number; body: Buffer } {
  const buf = Buffer.from(data);
  if (buf.length < 6 || !buf.subarray(0, 4).equals(MAGIC)) throw new KeyUnavailableError('not a wrapped Ringside key');
  return { kind: buf[4]!, body: buf.subarray(5) };
}

/** Wraps with safeStorage, preferring the async API (the sync one is deprecated). */
export class SafeStorageWrapper implements KeyWrapper {
  constructor(private readonly safe: SafeStorageLike) {}

  async wrap(raw: Uint8Array): Promise<Uint8Array> {
    const text = Buffer.from(raw).toString('base64');
    const enc =
      this.safe.encryptStringAsync && (await this.safe.isAsyncEncryptionAvailable?.())
        ? await this.safe.encryptStringAsync(text)
        : this.safe.encryptString(text);
    return tagged(KIND_SAFE, enc);
  }

  async unwrapBody(body: Buffer): Promise<Uint8Array> {
    const text =
      this.safe.decryptStringAsync && (await this.safe.isAsyncEncryptionAvailable?.())
        ? (await this.safe.decryptStringAsync(body)).result
        : this.safe.decryptString(body);
    return new Uint8Array(Buffer.from(text, 'base64'));
  }

  async unwrap(wrapped: Uint8Array): Promise<Uint8Array> {
    const { kind, body } = untag(wrapped);
    if (kind !== KIND_SAFE) throw new KeyUnavailableError('key is not wrapped by the OS keychain');
    return this.unwrapBody(body);
  }
}

/** Wraps with a key derived from the user's passphrase; the passphrase is remembered for this session only. */
export class PassphraseWrapper implements KeyWrapper {
  private passphrase: string | null = null;

  constructor(
    private readonly ask: AskPassphrase,
    private readonly iterations = PBKDF2_ITERATIONS,
  ) {}

  private async derive(pass: string, salt: Uint8Array): Promise<Buffer> {
    return pbkdf2Async(pass, salt, this.iterations, 32, 'sha256');
  }

  private async obtain(purpose: 'create' | 'unlock', retry: boolean): Promise<string> {
    if (this.passphrase !== null && !retry) return this.passphrase;
    let weak: string | undefined;
    for (let attempt = 0; attempt <= MAX_WEAK; attempt++) {
      const got = await this.ask(weak ? { purpose, retry, weak } : { purpose, retry });
      if (got === null || got.length === 0)
        throw new KeyUnavailableError('no passphrase given: the workspace key stays locked');
      // A new passphrase guards every workspace key on this machine: the estimator decides, not the length.
      const s = purpose === 'create' ? passphraseStrength(got, ['ringside', 'workspace']) : null;
      if (s && !s.ok) {
        weak = weakPassphraseMessage('That passphrase', s);
        continue;
      }
      this.passphrase = got;
      return got;
    }
    throw new KeyUnavailableError('no strong enough passphrase given: the workspace key stays locked');
  }

  async wrap(raw: Uint8Array): Promise<Uint8Array> {
    const pass = await this.obtain('create', false);
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.derive(pass, salt), iv);
    const ct = Buffer.concat([cipher.update(raw), cipher.final()]);
    return tagged(KIND_PASS, Buffer.concat([salt, iv, cipher.getAuthTag(), ct]));
  }

  async unwrapBody(body: Buffer): Promise<Uint8Array> {
    const salt = body.subarray(0, 16);
    const iv = body.subarray(16, 28);
    const tag = body.subarray(28, 44);
    const ct = body.subarray(44);
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const pass = await this.obtain('unlock', attempt > 0);
      try {
        const decipher = createDecipheriv('aes-256-gcm', await this.derive(pass, salt), iv);
        decipher.setAuthTag(tag);
        return new Uint8Array(Buffer.concat([decipher.update(ct), decipher.final()]));
      } catch {
        // GCM authentication failed: a wrong passphrase. Forget it and ask again.
        this.passphrase = null;
      }
    }
    throw new KeyUnavailableError(`wrong passphrase ${MAX_TRIES} times: the workspace key stays locked`);
  }

  async unwrap(wrapped: Uint8Array): Promise<Uint8Array> {
    const { kind, body } = untag(wrapped);
    if (kind !== KIND_PASS) throw new KeyUnavailableError('key is not wrapped by a passphrase');
    return this.unwrapBody(body);
  }
}

/** Wraps new keys with the chosen method; unwraps whichever method a stored key was wrapped with. */
export class TaggedKeyWrapper implements KeyWrapper {
  constructor(
    private readonly preferred: 'safe' | 'passphrase',
    private readonly safe: SafeStorageWrapper,
    private readonly pass: PassphraseWrapper,
  ) {}

  wrap(raw: Uint8Array): Promise<Uint8Array> {
    return this.preferred === 'safe' ? this.safe.wrap(raw) : this.pass.wrap(raw);
  }

  async unwrap(wrapped: Uint8Array): Promise<Uint8Array> {
    const { kind, body } = untag(wrapped);
    if (kind === KIND_SAFE) {
      if (this.preferred !== 'safe')
        throw new KeyUnavailableError('this key was wrapped by an OS keychain that is not available now');
      return this.safe.unwrapBody(body);
    }
    if (kind === KIND_PASS) return this.pass.unwrapBody(body);
    throw new KeyUnavailableError(`unknown key wrapping ${kind}`);
  }
}

/**
 * Picks how keys are wrapped. On Linux, `basic_text` means safeStorage would encrypt with a hard-coded password,
 * so it is not trusted and the user's passphrase is used instead; likewise wherever no encryption is available.
 */
export async function chooseKeyProtection(
  safe: SafeStorageLike,
  platform: NodeJS.Platform,
): Promise<'safe' | 'passphrase'> {
  const asyncOk = safe.isAsyncEncryptionAvailable ? await safe.isAsyncEncryptionAvailable().catch(() => false) : false;
  const available = asyncOk || safe.isEncryptionAvailable();
  if (!available) return 'passphrase';
  if (platform === 'linux') {
    const backend = safe.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown') return 'passphrase';
  }
  return 'safe';
}

/** The desktop key store: wrapped keys in userData, adopting (and wrapping) keys the headless CLI created. */
export class DesktopKeyStore {
  private readonly own: FileKeyStore;
  private readonly cli: FileKeyStore | null;

  constructor(dir: string, wrapper: KeyWrapper, cliDir: string | null) {
    this.own = new FileKeyStore(dir, wrapper);
    this.cli = cliDir ? new FileKeyStore(cliDir) : null;
  }

  async get(workspaceId: string): Promise<Uint8Array> {
    if (!(await this.own.has(workspaceId)) && this.cli && (await this.cli.has(workspaceId))) {
      const raw = await this.cli.get(workspaceId);
      await this.own.put(workspaceId, raw);
      // The CLI's copy is a raw 32-byte file: once the wrapped copy reads back the same, it is deleted, so the key
      // no longer sits on disk in clear (the CLI then opens that workspace only where the app is not in use).
      const back = await this.own.get(workspaceId);
      if (back.length === raw.length && back.every((b, i) => b === raw[i])) await this.cli.remove(workspaceId);
      return raw;
    }
    return this.own.get(workspaceId);
  }
}
