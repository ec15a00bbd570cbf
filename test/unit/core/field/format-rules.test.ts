// The pack and results formats read and written by hand with Node's own crypto (PBKDF2, AES-256-GCM, HKDF, HMAC), at a low floor.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  pbkdf2Sync,
  randomBytes,
} from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  b64,
  decryptPack,
  encryptPack,
  MAX_ITERATIONS,
  MIN_ITERATIONS,
  PackError,
  parseResults,
  readPackHeader,
  recordHash,
  signResults,
  unb64,
  validatePassphrase,
  verifyResults,
  type PackDevice,
  type PackPayload,
  type ResultRecord,
  type ResultsBody,
} from '../../../../core/field/format.js';

/** The floor these tests lower the format to, so that a round trip costs milliseconds, not 600,000 iterations. */
const N = 1000;
const PASS = 'correct horse battery staple';
const CREATED = Date.parse('2024-07-19T12:00:00.000Z');
const EXPIRES = Date.parse('2024-07-20T23:59:59.999Z');

const device = (id: number): PackDevice => ({
  id,
  hostname: `PC-${id}`,
  serial: null,
  model: 'HP EliteBook 840 G8',
  site: 'LON',
  ring: null,
  state: 'needs_fix',
  user: null,
  tags: '',
  steps: ['del C:\\Windows\\System32\\drivers\\CrowdStrike\\C-00000291*.sys'],
  modelNotes: [],
  keys: [],
});

const PAYLOAD: PackPayload = {
  packId: 'pack-1',
  workspaceId: 'ws-1',
  site: 'LON',
  created: CREATED,
  expires: EXPIRES,
  technician: null,
  macKey: Buffer.alloc(32, 1).toString('base64'),
  devices: [device(1), device(2)],
  scripts: { 'a.cmd': 'echo é' },
  runSheet: 'sheet',
  stepsSource: 'test',
};

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const fromLatin1 = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/** Opens a pack the way the format describes it, without Ringside's code. */
function openByHand(bytes: Uint8Array, passphrase: string) {
  const all = Buffer.from(bytes);
  const first = all.indexOf(0x0a);
  const second = all.indexOf(0x0a, first + 1);
  const header = JSON.parse(all.subarray(first + 1, second).toString('utf8'));
  const key = pbkdf2Sync(
    passphrase.normalize('NFC'),
    Buffer.from(header.kdf.salt, 'base64'),
    header.kdf.iterations,
    32,
    'sha256',
  );
  const body = all.subarray(second + 1);
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(header.cipher.iv, 'base64'));
  d.setAAD(all.subarray(0, second + 1));
  d.setAuthTag(body.subarray(body.length - 16));
  const gz = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
  return {
    magic: all.subarray(0, first).toString('utf8'),
    header,
    gz,
    payload: JSON.parse(gunzipSync(gz).toString('utf8')),
  };
}

/** Seals a pack the way the format describes it, with any header (for packs Ringside would never write). */
function sealByHand(header: Record<string, unknown>, payload: unknown, passphrase = PASS): Uint8Array {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const h = {
    ...header,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: N, salt: salt.toString('base64'), ...(header.kdf as object) },
    cipher: { name: 'AES-GCM', iv: iv.toString('base64') },
  };
  const head = Buffer.from(`RINGPACK1\n${JSON.stringify(h)}\n`);
  const c = createCipheriv('aes-256-gcm', pbkdf2Sync(passphrase, salt, N, 32, 'sha256'), iv);
  c.setAAD(head);
  const ct = Buffer.concat([c.update(gzipSync(Buffer.from(JSON.stringify(payload)))), c.final(), c.getAuthTag()]);
  return new Uint8Array(Buffer.concat([head, ct]));
}

const HEADER = {
  format: 'ringside-pack',
  version: 1,
  packId: 'pack-1',
  site: 'LON',
  devices: 2,
  created: CREATED,
  expires: EXPIRES,
  compression: 'gzip',
};

/** A header-only file (the checks before any key is derived read nothing else). */
const headerOnly = (kdf: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  new Uint8Array(
    Buffer.from(
      `RINGPACK1\n${JSON.stringify({ ...HEADER, ...extra, kdf: { name: 'PBKDF2', hash: 'SHA-256', salt: 'AAAA', ...kdf } })}\nx`,
    ),
  );

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<[string, string]> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(PackError);
    return [(err as PackError).code, (err as Error).message];
  }
  throw new Error('did not throw');
}

describe('the pack format', () => {
  it('is the magic line, the header, and AES-256-GCM over the gzip of the payload with the header as additional data', async () => {
    const bytes = await encryptPack(PAYLOAD, PASS, N, N);
    const o = openByHand(bytes, PASS);
    expect(o.magic).toBe('RINGPACK1');
    expect(o.header).toEqual({
      ...HEADER,
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: N, salt: expect.any(String) },
      cipher: { name: 'AES-GCM', iv: expect.any(String) },
    });
    expect(Buffer.from(o.header.kdf.salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(o.header.cipher.iv, 'base64')).toHaveLength(12);
    expect(o.payload).toEqual(PAYLOAD);
    // gzip magic 1f 8b, method 8 (deflate), and a zero modification time (bytes 4-7): the same payload, the same bytes.
    expect([...o.gz.subarray(0, 8)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    // Each pack has its own salt and IV.
    const again = openByHand(await encryptPack(PAYLOAD, PASS, N, N), PASS);
    expect(again.header.kdf.salt).not.toBe(o.header.kdf.salt);
    expect(again.header.cipher.iv).not.toBe(o.header.cipher.iv);
    expect(readPackHeader(bytes)).toEqual(o.header);
  });

  it('opens a pack sealed by hand to the same description, and a passphrase typed decomposed opens a composed one', async () => {
    expect(await decryptPack(sealByHand(HEADER, PAYLOAD), PASS, CREATED, N)).toEqual(PAYLOAD);
    const composed = 'crème brûlée à la café';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const bytes = await encryptPack(PAYLOAD, decomposed, N, N);
    expect(await decryptPack(bytes, composed, CREATED, N)).toEqual(PAYLOAD);
    expect(openByHand(bytes, composed).payload).toEqual(PAYLOAD);
  });

  it('opens until the expiry instant and not one millisecond later', async () => {
    const bytes = await encryptPack(PAYLOAD, PASS, N, N);
    expect((await decryptPack(bytes, PASS, EXPIRES, N)).packId).toBe('pack-1');
    expect(await codeOf(decryptPack(bytes, PASS, EXPIRES + 1, N))).toEqual([
      'expired',
      'This field pack expired on 2024-07-20 23:59 UTC and will not open. Ask the incident lead for a new pack.',
    ]);
  });

  it('a wrong passphrase, a changed ciphertext byte or a changed header byte: refused alike', async () => {
    const bytes = await encryptPack(PAYLOAD, PASS, N, N);
    const msg =
      'Wrong passphrase, or the pack file was altered: it could not be decrypted. Check the passphrase (it is case-sensitive).';
    expect(await codeOf(decryptPack(bytes, 'Correct horse battery staple', CREATED, N))).toEqual(['passphrase', msg]);
    const ct = bytes.slice();
    ct[ct.length - 20]! ^= 1;
    expect(await codeOf(decryptPack(ct, PASS, CREATED, N))).toEqual(['passphrase', msg]);
    const site = fromLatin1(latin1(bytes).replace('"site":"LON"', '"site":"NYC"'));
    expect(await codeOf(decryptPack(site, PASS, CREATED, N))).toEqual(['passphrase', msg]);
  });

  it('a header naming another pack than its contents is refused', async () => {
    const bytes = sealByHand({ ...HEADER, packId: 'pack-2' }, PAYLOAD);
    expect(await codeOf(decryptPack(bytes, PASS, CREATED, N))).toEqual([
      'format',
      'the pack header and contents disagree',
    ]);
  });
});

describe('the PBKDF2 iteration floor', () => {
  it('writing: the floor is 600,000 unless lowered; one below a floor is refused, the floor itself is written', async () => {
    expect(MIN_ITERATIONS).toBe(600_000);
    expect(await codeOf(encryptPack(PAYLOAD, PASS, 599_999))).toEqual([
      'weak_kdf',
      'PBKDF2 needs at least 600000 iterations',
    ]);
    expect(await codeOf(encryptPack(PAYLOAD, PASS, N - 1, N))).toEqual([
      'weak_kdf',
      'PBKDF2 needs at least 1000 iterations',
    ]);
    expect(readPackHeader(await encryptPack(PAYLOAD, PASS, N, N)).kdf.iterations).toBe(N);
    expect(await codeOf(encryptPack(PAYLOAD, PASS, MAX_ITERATIONS + 1, N))).toEqual([
      'weak_kdf',
      'PBKDF2 allows at most 10000000 iterations',
    ]);
  });

  it('opening: a pack asking for fewer than 600,000 is refused by default, before any key is derived', async () => {
    // Made at the lowered floor: it opens only where the caller lowers the floor too.
    const low = await encryptPack(PAYLOAD, PASS, N, N);
    expect(await codeOf(decryptPack(low, PASS, CREATED))).toEqual([
      'weak_kdf',
      'the pack asks for only 1000 PBKDF2 iterations; refusing to open it',
    ]);
    expect(await codeOf(decryptPack(low, PASS, CREATED, N + 1))).toEqual([
      'weak_kdf',
      'the pack asks for only 1000 PBKDF2 iterations; refusing to open it',
    ]);
    expect(await decryptPack(low, PASS, CREATED, N)).toEqual(PAYLOAD);
    // A header edited to one below the production floor, or to a missing count.
    expect(await codeOf(decryptPack(headerOnly({ iterations: 599_999 }), PASS, CREATED))).toEqual([
      'weak_kdf',
      'the pack asks for only 599999 PBKDF2 iterations; refusing to open it',
    ]);
    expect((await codeOf(decryptPack(headerOnly({}), PASS, CREATED)))[1]).toBe(
      'the pack asks for only undefined PBKDF2 iterations; refusing to open it',
    );
  });

  it('opening: a count that is not a whole number, or above the ceiling, is refused as an edited header', async () => {
    const edited = (n: string) =>
      `the pack header asks for ${n} PBKDF2 iterations, more than the 10000000 Ringside allows: the header was edited; refusing to open it`;
    expect(await codeOf(decryptPack(headerOnly({ iterations: MAX_ITERATIONS + 1 }), PASS, CREATED))).toEqual([
      'weak_kdf',
      edited('10000001'),
    ]);
    expect(await codeOf(decryptPack(headerOnly({ iterations: 600_000.5 }), PASS, CREATED))).toEqual([
      'weak_kdf',
      edited('600000.5'),
    ]);
    // "700000" as text passes the >= floor by coercion; it is still not a number of iterations.
    expect(await codeOf(decryptPack(headerOnly({ iterations: '700000' }), PASS, CREATED))).toEqual([
      'weak_kdf',
      edited('700000'),
    ]);
  });

  it('the expiry is checked before the iteration count', async () => {
    const bytes = headerOnly({ iterations: 5 });
    expect((await codeOf(decryptPack(bytes, PASS, EXPIRES + 1)))[0]).toBe('expired');
    expect((await codeOf(decryptPack(bytes, PASS, EXPIRES)))[0]).toBe('weak_kdf');
  });
});

describe('the header line', () => {
  it('a file without two line breaks, with another magic, or not UTF-8 is refused, saying which', async () => {
    const pack = (s: string) => codeOf(() => readPackHeader(fromLatin1(s)));
    expect(await pack('RINGPACK1')).toEqual(['format', 'not a Ringside RINGPACK1 file: no header']);
    expect(await pack('RINGPACK1\n{}')).toEqual(['format', 'not a Ringside RINGPACK1 file: no header']);
    expect(await pack('\n\n')).toEqual(['format', 'not a Ringside RINGPACK1 file (it starts with "")']);
    expect(await pack('RINGPACK2\n{}\n')).toEqual([
      'format',
      'not a Ringside RINGPACK1 file (it starts with "RINGPACK2")',
    ]);
    expect(await pack(`${'PK'.repeat(15)}\n{}\n`)).toEqual([
      'format',
      'not a Ringside RINGPACK1 file (it starts with "PKPKPKPKPKPKPKPKPKPK")',
    ]);
    expect(await pack('RINGPACK1\xff\n{}\n')).toEqual([
      'format',
      'not a Ringside RINGPACK1 file: the header is not UTF-8',
    ]);
    expect(await pack('RINGPACK1\n{"a":"\xff"}\n')).toEqual([
      'format',
      'not a Ringside RINGPACK1 file: the header is not UTF-8',
    ]);
  });

  it('the header must be JSON of format ringside-pack version 1', async () => {
    const head = (s: string) => codeOf(() => readPackHeader(fromLatin1(`RINGPACK1\n${s}\n`)));
    expect(await head('{nope')).toEqual(['format', 'the field pack header is not valid JSON']);
    expect(await head('{"format":"x","version":1}')).toEqual(['format', 'unsupported field pack format x v1']);
    expect(await head('{"format":"ringside-pack","version":2}')).toEqual([
      'format',
      'unsupported field pack format ringside-pack v2',
    ]);
    expect(readPackHeader(fromLatin1('RINGPACK1\n{"format":"ringside-pack","version":1}\n'))).toEqual({
      format: 'ringside-pack',
      version: 1,
    });
  });
});

describe('passphrase length and base64', () => {
  it('11 characters are refused, 12 accepted, before anything is encrypted', async () => {
    expect(await codeOf(() => validatePassphrase('a'.repeat(11)))).toEqual([
      'passphrase',
      'the pack passphrase must be at least 12 characters',
    ]);
    expect(() => validatePassphrase('a'.repeat(12))).not.toThrow();
    expect((await codeOf(encryptPack(PAYLOAD, 'a'.repeat(11), N, N)))[0]).toBe('passphrase');
  });

  it('base64 of more than one 32 KiB chunk matches Node, both ways', () => {
    const bytes = new Uint8Array(0x8000 * 2 + 3).map((_, i) => (i * 131) % 256);
    const text = Buffer.from(bytes).toString('base64');
    expect(b64(bytes)).toBe(text);
    expect(unb64(text)).toEqual(bytes);
    expect(b64(new Uint8Array(0))).toBe('');
    expect(unb64('')).toEqual(new Uint8Array(0));
  });
});

const MAC = new Uint8Array(32).fill(9);
const record = (r: Partial<ResultRecord> = {}): ResultRecord => ({
  deviceId: 1,
  hostname: 'PC-1',
  result: 'fixed',
  method: 'usb',
  at: CREATED + 1,
  technician: 'tech-a',
  keyIdUsed: null,
  notes: null,
  ...r,
});
const BODY: ResultsBody = {
  format: 'ringside-results',
  version: 1,
  packId: 'pack-1',
  technician: 'tech-a',
  exportedAt: CREATED + 2,
  records: [record()],
  events: [],
};
/** HMAC-SHA-256 under HKDF-SHA-256(mac key, no salt, "ringside/results/hmac-sha256"), as the format says. */
const macByHand = (json: string, key = MAC) =>
  createHmac('sha256', Buffer.from(hkdfSync('sha256', key, new Uint8Array(0), 'ringside/results/hmac-sha256', 32)))
    .update(json)
    .digest('hex');

describe('the results format', () => {
  it('is the magic line, the body JSON and a signature line over the exact body bytes', async () => {
    const json = JSON.stringify(BODY);
    const file = await signResults(BODY, MAC);
    expect(Buffer.from(file).toString('utf8')).toBe(`RINGRESULTS1\n${json}\nsignature ${macByHand(json)}\n`);
    expect(await verifyResults(file, MAC)).toEqual(BODY);
    expect(parseResults(file)).toEqual({ body: BODY, json, signature: macByHand(json) });
  });

  it('a file signed with another key, or whose body changed by one byte, is refused naming the pack', async () => {
    const msg =
      "The results file's signature does not match pack pack-1: it was altered after export, or not made from that pack. Nothing was imported.";
    const other = new Uint8Array(32).fill(8);
    expect(await codeOf(verifyResults(await signResults(BODY, other), MAC))).toEqual(['signature', msg]);
    const file = latin1(await signResults(BODY, MAC));
    expect(await codeOf(verifyResults(fromLatin1(file.replace('"fixed"', '"faxed"')), MAC))).toEqual([
      'signature',
      msg,
    ]);
    // The signature itself changed in its last digit.
    const sig = macByHand(JSON.stringify(BODY));
    const last = sig.at(-1) === '0' ? '1' : '0';
    expect((await codeOf(verifyResults(fromLatin1(file.replace(sig, sig.slice(0, -1) + last)), MAC)))[0]).toBe(
      'signature',
    );
  });

  it('the signature line: 64 lower-case hex digits, the last line break optional, nothing else', async () => {
    const json = JSON.stringify(BODY);
    const sig = macByHand(json);
    const file = (line: string) => fromLatin1(`RINGRESULTS1\n${json}\n${line}`);
    expect(await verifyResults(file(`signature ${sig}`), MAC)).toEqual(BODY);
    const bad = ['signature', 'the results file has no valid signature line'];
    expect(await codeOf(() => parseResults(file(`signature ${sig}\n\n`)))).toEqual(bad);
    expect(await codeOf(() => parseResults(file(`signature ${sig.toUpperCase()}\n`)))).toEqual(bad);
    expect(await codeOf(() => parseResults(file(`signature ${sig.slice(1)}\n`)))).toEqual(bad);
    expect(await codeOf(() => parseResults(file(`signature ${sig}0\n`)))).toEqual(bad);
    expect(await codeOf(() => parseResults(file(` signature ${sig}\n`)))).toEqual(bad);
    expect(await codeOf(() => parseResults(file(`signature ${sig}\xff`)))).toEqual([
      'format',
      'the results file signature line is not UTF-8',
    ]);
  });

  it('the body must be JSON of format ringside-results version 1 with a records list', async () => {
    const sig = 'a'.repeat(64);
    const parse = (json: string) => codeOf(() => parseResults(fromLatin1(`RINGRESULTS1\n${json}\nsignature ${sig}\n`)));
    expect(await parse('{nope')).toEqual(['format', 'the results file body is not valid JSON']);
    const wrong = ['format', 'not a Ringside results file (format/version)'];
    expect(await parse(JSON.stringify({ ...BODY, format: 'ringside-pack' }))).toEqual(wrong);
    expect(await parse(JSON.stringify({ ...BODY, version: 2 }))).toEqual(wrong);
    expect(await parse(JSON.stringify({ ...BODY, records: {} }))).toEqual(wrong);
    expect(await codeOf(() => parseResults(fromLatin1(`RINGPACK1\n{}\nsignature ${sig}\n`)))).toEqual([
      'format',
      'not a Ringside RINGRESULTS1 file (it starts with "RINGPACK1")',
    ]);
  });
});

describe('record identity', () => {
  it('SHA-256 of [pack, device, result, method, time, technician, key used, notes]; the hostname is not part of it', () => {
    const byHand = (packId: string, r: ResultRecord) =>
      createHash('sha256')
        .update(JSON.stringify([packId, r.deviceId, r.result, r.method, r.at, r.technician, r.keyIdUsed, r.notes]))
        .digest('hex');
    const r = record({ keyIdUsed: 'k', notes: 'n' });
    expect(recordHash('pack-1', r)).toBe(byHand('pack-1', r));
    expect(recordHash('pack-1', { ...r, hostname: 'pc-1.corp' })).toBe(recordHash('pack-1', r));
    const variants: Partial<ResultRecord>[] = [
      { deviceId: 2 },
      { result: 'failed' },
      { method: null },
      { at: r.at + 1 },
      { technician: 'tech-b' },
      { keyIdUsed: null },
      { notes: null },
    ];
    const hashes = new Set([recordHash('pack-1', r), recordHash('pack-2', r)]);
    for (const v of variants) hashes.add(recordHash('pack-1', { ...r, ...v }));
    expect(hashes.size).toBe(9);
  });
});
