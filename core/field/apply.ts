// Applies one journalled user action to the workspace; replay of the journal calls the same function in order.
import type { Action } from '../contract/actions.js';
import { sha256Hex } from '../secrets/box.js';
import { audit, type Workspace } from '../workspace.js';

export async function applyAction(ws: Workspace, action: Action): Promise<void> {
  switch (action.type) {
    case 'device.result': {
      const record = {
        deviceId: action.deviceId,
        result: action.result,
        method: action.method ?? null,
        at: action.at,
        technician: action.technician ?? null,
        keyIdUsed: action.keyIdUsed ?? null,
        notes: action.notes ?? null,
      };
      const recordHash = await sha256Hex(JSON.stringify(['console', record]));
      ws.db.run(
        `INSERT INTO results(device_id, result, method, at, technician, key_id_used, notes, origin, record_hash)
         VALUES (?,?,?,?,?,?,?,'console',?) ON CONFLICT(record_hash) DO NOTHING`,
        [
          record.deviceId,
          record.result,
          record.method,
          record.at,
          record.technician,
          record.keyIdUsed,
          record.notes,
          recordHash,
        ],
      );
      await audit(ws, 'device.result', { deviceId: action.deviceId, result: action.result });
      return;
    }
    case 'device.ring':
      ws.db.run('UPDATE devices SET ring_override = ? WHERE id = ?', [action.ring, action.deviceId]);
      await audit(ws, 'device.ring', { deviceId: action.deviceId, ring: action.ring });
      return;
    case 'device.note':
      await audit(ws, 'device.note', { deviceId: action.deviceId, note: action.note });
      return;
    case 'key.reveal':
      await audit(ws, 'key.reveal', { keyId: action.keyId, deviceId: action.deviceId, reason: action.reason });
      return;
  }
}
