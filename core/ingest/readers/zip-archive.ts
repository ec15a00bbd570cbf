// Bounded ZIP reading: the central directory checked against the limits before anything is inflated, then one entry at a time streamed through fflate's Unzip with its bytes counted, its length and CRC-32 verified.
import { strFromU8, Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { FileError } from '../errors.js';

/**
 * Every limit of ZIP reading, in one place (docs/security.md, "Archives", lists them with what each one promises).
 * An Intune export holds one CSV of a few hundred MiB that deflates 5–20:1; these leave an order of magnitude of room.
 */
export const ZIP_LIMITS = {
  /** The archive itself is read whole (its directory is at the end): at most this many bytes. */
  maxArchiveBytes: 512 << 20,
  /** Entries in the central directory. */
  maxEntries: 1000,
  /** Any one entry's declared and counted inflated size. */
  maxEntryBytes: 2 ** 31 - 1,
  /** The sum of every entry's declared size, and of the bytes actually inflated from the archive. */
  maxTotalBytes: 2 ** 32,
  /** Inflated to compressed bytes, declared per entry and counted while inflating (after the first MiB). */
  maxRatio: 200,
  /** Compressed bytes handed to the inflater per step: one step inflates at most about 1032 times this. */
  stepBytes: 16 << 10,
} as const;

export type ZipLimits = { readonly [K in keyof typeof ZIP_LIMITS]: number };

/** One entry as the central directory declares it. */
export interface ZipEntry {
  name: string;
  /** Declared inflated size. */
  size: number;
  compressedSize: number;
  crc32: number;
  /** 0 stored, 8 deflate. */
  method: number;
  encrypted: boolean;
  /** Offset of its local header, and the end of the bytes it may use (the next entry or the directory). */
  offset: number;
  end: number;
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (ZIP's polynomial), continued from `crc` (start with 0). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const u16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u32 = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/**
 * An archive held in memory whose entries are listed and checked up front and inflated only on demand, as a stream.
 * fflate's Unzip does the reading and inflating; what it does not expose (each entry's CRC-32 and where its bytes
 * lie) is read from the central directory's fixed-size records, so that overlapping entries and changed bytes are
 * caught.
 */
export class ZipArchive {
  readonly entries: ZipEntry[];
  /** Bytes inflated from this archive so far, over every stream opened on it. */
  private inflated = 0;

  constructor(
    private readonly bytes: Uint8Array,
    /** The archive's name, for messages. */
    readonly name: string,
    readonly limits: ZipLimits = ZIP_LIMITS,
  ) {
    if (bytes.byteLength > limits.maxArchiveBytes)
      throw this.fail(`the archive is ${bytes.byteLength} bytes; at most ${limits.maxArchiveBytes} are read`);
    this.entries = this.directory();
  }

  private fail(message: string): FileError {
    return new FileError(`${this.name}: ${message}`);
  }

  /** Reads and checks the central directory: count, sizes, ratio, overlap. Nothing is inflated. */
  private directory(): ZipEntry[] {
    const b = this.bytes;
    let eocd = -1;
    for (let i = b.byteLength - 22; i >= Math.max(0, b.byteLength - 22 - 0xffff); i--)
      if (u32(b, i) === 0x06054b50) {
        eocd = i;
        break;
      }
    if (eocd < 0) throw this.fail('not a readable ZIP archive (no central directory: truncated or not a ZIP)');
    const count = u16(b, eocd + 10);
    const cdSize = u32(b, eocd + 12);
    const cdOffset = u32(b, eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff)
      throw this.fail('ZIP64 archives are not read (no export needs one)');
    if (count > this.limits.maxEntries)
      throw this.fail(`the archive lists ${count} entries; at most ${this.limits.maxEntries} are read`);
    if (cdOffset + cdSize > eocd) throw this.fail('not a readable ZIP archive (its central directory lies outside it)');
    const entries: ZipEntry[] = [];
    let p = cdOffset;
    let declared = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > eocd || u32(b, p) !== 0x02014b50)
        throw this.fail(`not a readable ZIP archive (central directory record ${n + 1} is damaged)`);
      const flags = u16(b, p + 8);
      const nameLen = u16(b, p + 28);
      const name = strFromU8(b.subarray(p + 46, p + 46 + nameLen), !(flags & 0x800));
      const e: ZipEntry = {
        name,
        method: u16(b, p + 10),
        crc32: u32(b, p + 16),
        compressedSize: u32(b, p + 20),
        size: u32(b, p + 24),
        encrypted: !!(flags & 1),
        offset: u32(b, p + 42),
        end: cdOffset,
      };
      if (e.size === 0xffffffff || e.compressedSize === 0xffffffff || e.offset === 0xffffffff)
        throw this.fail(`entry ${name} uses ZIP64 sizes; ZIP64 archives are not read`);
      declared += e.size;
      if (declared > this.limits.maxTotalBytes)
        throw this.fail(
          `the entries declare more than ${this.limits.maxTotalBytes} bytes in all; refused before inflating anything`,
        );
      if (e.size > this.limits.maxEntryBytes)
        throw this.fail(`entry ${name} declares ${e.size} bytes; at most ${this.limits.maxEntryBytes} are read`);
      if (e.size > this.limits.maxRatio * Math.max(e.compressedSize, 1) && e.size > 1 << 20)
        throw this.fail(
          `entry ${name} declares ${e.size} bytes from ${e.compressedSize} compressed (more than ${this.limits.maxRatio}:1); refused as a ZIP bomb`,
        );
      entries.push(e);
      p += 46 + nameLen + u16(b, p + 30) + u16(b, p + 32);
    }
    // Each entry's bytes must end before the next one starts: entries sharing one stream are how small bombs get big.
    const byOffset = [...entries].sort((x, y) => x.offset - y.offset);
    for (let i = 0; i < byOffset.length; i++) {
      const e = byOffset[i]!;
      e.end = i + 1 < byOffset.length ? byOffset[i + 1]!.offset : cdOffset;
      if (e.offset + 30 + e.compressedSize > e.end)
        throw this.fail(
          `entries ${e.name} and ${byOffset[i + 1]?.name ?? '(central directory)'} overlap in the archive; refused as a ZIP bomb or a damaged file`,
        );
    }
    return entries;
  }

  /**
   * The entry's inflated bytes as a stream, pulled step by step: counted against the limits as they come (stopped at
   * the limit whatever the header says), and failing with a FileError if the length or CRC-32 differs from the
   * central directory's. A reader that stops early (a peek) skips the checks of the end.
   */
  stream(entry: ZipEntry): ReadableStream<Uint8Array> {
    const limits = this.limits;
    const src = this.bytes.subarray(entry.offset, entry.end);
    const unzip = new Unzip();
    unzip.register(UnzipInflate);
    const out: Uint8Array[] = [];
    let fed = 0;
    let got = 0;
    let crc = 0;
    let done = false;
    let seen = false;
    let failure: FileError | null = null;
    const fail = (m: string) => (failure ??= this.fail(`entry ${entry.name}: ${m}`));
    unzip.onfile = (file: UnzipFile) => {
      if (seen) return;
      seen = true;
      if (file.name !== entry.name)
        return fail(`its local header names "${file.name}"; the archive's directory and contents disagree`);
      if (file.compression !== entry.method) return fail('its local header and the directory disagree on compression');
      if (entry.encrypted) return fail('it is encrypted');
      if (file.size !== undefined && (file.size !== entry.compressedSize || file.originalSize !== entry.size))
        return fail('its local header and the directory declare different sizes');
      file.ondata = (err, chunk, final) => {
        if (failure || done) return;
        if (err) return fail(`it does not inflate (${err.message}); the file is damaged`);
        got += chunk.byteLength;
        this.inflated += chunk.byteLength;
        if (got > entry.size)
          return fail(`it inflates past its declared ${entry.size} bytes; the file is damaged or was changed`);
        if (this.inflated > limits.maxTotalBytes)
          return fail(`the archive inflates past ${limits.maxTotalBytes} bytes in all`);
        if (got > 1 << 20 && got > limits.maxRatio * fed)
          return fail(`it inflates more than ${limits.maxRatio}:1; refused as a ZIP bomb`);
        crc = crc32(chunk, crc);
        if (chunk.byteLength) out.push(chunk);
        if (final) {
          done = true;
          if (got !== entry.size)
            fail(`it inflates to ${got} bytes, not the ${entry.size} declared; the file is damaged or was changed`);
          else if (crc !== entry.crc32) fail('its CRC-32 does not match; the file is damaged or was changed');
        }
      };
      file.start();
    };
    return new ReadableStream<Uint8Array>({
      pull: (ctrl) => {
        while (!out.length && !failure && !done) {
          if (fed >= src.byteLength) {
            fail('it ends before its data does; the file is truncated');
            break;
          }
          const step = src.subarray(fed, fed + limits.stepBytes);
          fed += step.byteLength;
          try {
            unzip.push(step, fed >= src.byteLength);
          } catch (e) {
            fail(`it cannot be read (${(e as Error).message})`);
          }
        }
        if (out.length) ctrl.enqueue(out.shift()!);
        else if (failure) ctrl.error(failure);
        else ctrl.close();
      },
    });
  }

  /** The whole entry in memory, for formats read whole (JSON): refused past `cap` bytes. */
  async read(entry: ZipEntry, cap: number): Promise<Uint8Array> {
    if (entry.size > cap) throw this.fail(`entry ${entry.name} is ${entry.size} bytes; at most ${cap} are read whole`);
    const all = new Uint8Array(entry.size);
    let o = 0;
    const reader = this.stream(entry).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      all.set(value, o);
      o += value.byteLength;
    }
    return all;
  }

  /** Up to n first inflated bytes (no end checks: the full read that follows makes them). */
  async head(entry: ZipEntry, n = 4096): Promise<Uint8Array> {
    const reader = this.stream(entry).getReader();
    const parts: Uint8Array[] = [];
    let got = 0;
    try {
      while (got < n) {
        const { value, done } = await reader.read();
        if (done) break;
        parts.push(value);
        got += value.byteLength;
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    const all = new Uint8Array(Math.min(got, n));
    let o = 0;
    for (const p of parts) {
      const take = Math.min(p.byteLength, all.byteLength - o);
      all.set(p.subarray(0, take), o);
      o += take;
    }
    return all;
  }
}

/** Why an entry's name is not one Ringside reads (path traversal, absolute, control characters), or null. */
export function unsafeEntryName(name: string): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are what is being looked for
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'its name holds control characters';
  if (/^([/\\]|[A-Za-z]:)/.test(name)) return 'its name is an absolute path';
  if (name.split(/[/\\]/).includes('..')) return 'its name climbs out of the archive (..)';
  return null;
}
