// Technician crypto in the worker: the decrypted pack (its keys, its signing key) stays here; the page gets a keyless view.
import {
  decryptPack,
  signResults,
  unb64,
  type PackDevice,
  type PackKey,
  type PackPayload,
  type ResultsBody,
} from '../../core/field/format.js';

export type TechKey = Omit<PackKey, 'recoveryPassword'>;
export type TechDevice = Omit<PackDevice, 'keys'> & { keys: TechKey[] };
/** What the page sees of an opened pack: no recovery passwords, no signing key, no scripts. */
export type TechPack = Omit<PackPayload, 'macKey' | 'scripts' | 'devices'> & { devices: TechDevice[] };
/** The part of a results file the page writes; the worker adds the pack id and audit head and signs it. */
export type TechResults = Pick<ResultsBody, 'technician' | 'exportedAt' | 'records' | 'events'>;

interface Opened {
  payload: PackPayload;
  /** Keys handed out through techRevealKey, by "deviceId keyId": each must be in the signed results' events. */
  revealed: Set<string>;
}

const packs = new Map<string, Opened>();

function opened(packId: string): Opened {
  const p = packs.get(packId);
  if (!p) throw new Error('this field pack is not open; open it again with its passphrase');
  return p;
}

/** The page's view of a pack: everything it shows, and key IDs without their recovery passwords. */
export function keylessView(payload: PackPayload): TechPack {
  const { macKey: _macKey, scripts: _scripts, devices, ...rest } = payload;
  return {
    ...rest,
    devices: devices.map((d) => ({ ...d, keys: d.keys.map((k) => ({ keyId: k.keyId, valid: k.valid })) })),
  };
}

export const technicianVerbs = {
  /** Decrypts a field pack with its passphrase and keeps it in the worker; returns the keyless view. */
  async techOpenPack(bytes: Uint8Array, passphrase: string, now: number): Promise<TechPack> {
    const payload = await decryptPack(bytes, passphrase, now);
    packs.set(payload.packId, { payload, revealed: new Set() });
    return keylessView(payload);
  },

  /**
   * One recovery password, for the explicit reveal: the page calls this only after the key.reveal event is saved,
   * and results are not signed unless that event is in them.
   */
  techRevealKey(packId: string, deviceId: number, keyId: string): string {
    const p = opened(packId);
    const key = p.payload.devices.find((d) => d.id === deviceId)?.keys.find((k) => k.keyId === keyId);
    if (!key) throw new Error(`no key ${keyId} for device ${deviceId} in this pack`);
    p.revealed.add(`${deviceId} ${keyId}`);
    return key.recoveryPassword;
  },

  /** Signs the results with the pack's key (HMAC-SHA-256 after HKDF); the key never leaves the worker. */
  async techSignResults(packId: string, results: TechResults): Promise<Uint8Array> {
    const { payload, revealed } = opened(packId);
    const recorded = new Set(
      results.events.filter((e) => e.kind === 'key.reveal').map((e) => `${e.deviceId} ${e.keyId}`),
    );
    const missing = [...revealed].filter((k) => !recorded.has(k));
    if (missing.length > 0) throw new Error(`a key reveal is missing from the results (${missing.join(', ')})`);
    const body: ResultsBody = {
      format: 'ringside-results',
      version: 1,
      packId: payload.packId,
      technician: results.technician,
      exportedAt: results.exportedAt,
      records: results.records,
      events: results.events,
      ...(payload.audit ? { audit: payload.audit } : {}),
    };
    return signResults(body, unb64(payload.macKey));
  },

  /** Drops the decrypted pack from the worker's memory (closing the pack in the page). */
  techClosePack(packId: string): void {
    packs.delete(packId);
  },
};
