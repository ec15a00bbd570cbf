// Synchronous HMAC-SHA-256 (RFC 2104) over the core's synchronous SHA-256: the audit chain is keyed on every append.
import { sha256Sync } from '../field/sha256.js';

const enc = new TextEncoder();

/** HMAC-SHA-256 of `data` under `key`, as lower-case hex. Sync because journal replay appends thousands of entries. */
export function hmacSha256HexSync(key: Uint8Array, data: string | Uint8Array): string {
  let k = key.byteLength > 64 ? sha256Sync(key) : key;
  const block = new Uint8Array(64);
  block.set(k);
  k = block;
  const msg = typeof data === 'string' ? enc.encode(data) : data;
  const inner = new Uint8Array(64 + msg.byteLength);
  const outer = new Uint8Array(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = k[i]! ^ 0x36;
    outer[i] = k[i]! ^ 0x5c;
  }
  inner.set(msg, 64);
  outer.set(sha256Sync(inner), 64);
  let s = '';
  for (const b of sha256Sync(outer)) s += b.toString(16).padStart(2, '0');
  return s;
}
