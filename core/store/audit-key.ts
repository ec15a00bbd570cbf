// Derives the audit chain's HMAC key from the workspace key (HKDF-SHA-256, its own label): a copy of the file is not enough.
const enc = new TextEncoder();

export async function deriveAuditKey(material: Uint8Array): Promise<Uint8Array> {
  const raw = material.buffer instanceof ArrayBuffer ? (material as Uint8Array<ArrayBuffer>) : new Uint8Array(material);
  const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: enc.encode('ringside/audit/hmac-v1') },
    base,
    256,
  );
  return new Uint8Array(bits);
}
