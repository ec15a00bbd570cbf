// Reading devices by their identity keys: every device's keys in id order, or one key (or a batch's) through its index.
import type { Db } from './db.js';
import { DirectStatement } from './fast-insert.js';

/** [id, host_key, falcon_aid, entra_id, intune_id, serial, superseded_by] */
export type IdentityRow = [number, string, string | null, string | null, string | null, string | null, number | null];

/** Every device's identity columns in id order, one row at a time (a million devices are not held as objects). */
export function eachDeviceIdentity(db: Db, fn: (r: IdentityRow) => void): void {
  const st = db.prepare(
    'SELECT id, host_key, falcon_aid, entra_id, intune_id, serial, superseded_by FROM devices ORDER BY id',
  );
  try {
    while (st.step()) fn(st.get() as IdentityRow);
  } finally {
    st.free();
  }
}

/** The keys identity finds a device by, and their columns; a name or serial identifies only a live device. */
const KEY_COLUMN = {
  aid: ['falcon_aid', ''],
  entra: ['entra_id', ''],
  intune: ['intune_id', ''],
  serial: ['serial_key', ' AND d.superseded_by IS NULL'],
  host: ['host_key', ' AND d.superseded_by IS NULL'],
} as const;
export type IdentityKey = keyof typeof KEY_COLUMN;

/**
 * Devices found by one identity key through its index: the highest id holding the key, as a map loaded in id order
 * keeps. One key at a time, or a batch's keys in one join.
 */
export class DeviceKeyLookup {
  private one: DirectStatement | null = null;
  private readonly sql: string;

  /** beforeRead: writes the table owes before it is read (device inserts waiting, see DeviceWrites.deferInserts). */
  constructor(
    private readonly db: Db,
    key: IdentityKey,
    private readonly beforeRead: () => void = () => undefined,
  ) {
    const [col, live] = KEY_COLUMN[key];
    this.sql = `SELECT d.id FROM devices d WHERE d.${col} = k.value${live} ORDER BY d.id DESC LIMIT 1`;
  }

  get(key: string): number | undefined {
    this.beforeRead();
    this.one ??= new DirectStatement(this.db, `SELECT (${this.sql}) FROM (SELECT ? AS value) k`, 1);
    const id = this.one.row([key])?.[0] as number | null | undefined;
    return id ?? undefined;
  }

  /** The devices of many keys (a batch's), in one statement: key -> device id, for the keys that have one. */
  many(keys: string[]): Map<string, number> {
    const out = new Map<string, number>();
    this.beforeRead();
    const st = this.db.prepare(`SELECT k.value, (${this.sql}) FROM json_each(?) k`);
    try {
      st.bind([JSON.stringify(keys)]);
      while (st.step()) {
        const [key, id] = st.get() as [string, number | null];
        if (id !== null) out.set(key, id);
      }
    } finally {
      st.free();
    }
    return out;
  }

  free(): void {
    this.one?.free();
    this.one = null;
  }
}

/** The highest device id on file (0 when there is none). */
export function maxDeviceId(db: Db): number {
  return db.value<number>('SELECT COALESCE(MAX(id), 0) FROM devices') ?? 0;
}
