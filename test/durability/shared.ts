// What the crash-harness parent and child agree on: the workspace key and the action for each seq.
import type { Action } from '../../core/contract/actions.js';

export const HARNESS_KEY = new Uint8Array(32).fill(42);
export const HARNESS_DEVICES = 8;

/** A distinct, recognisable action per seq: its result row has at = seq, so presence is one lookup. */
export function harnessAction(seq: number): Action {
  return {
    type: 'device.result',
    deviceId: 1 + (seq % HARNESS_DEVICES),
    result: seq % 3 === 0 ? 'failed' : 'fixed',
    method: 'usb',
    at: seq,
    technician: 'crash-harness',
    notes: `payload ${seq} `.padEnd(240, '.'),
  };
}
