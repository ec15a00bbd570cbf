// User actions that go through the journal before the UI acknowledges them; replayed in order on open.
export type DeviceResult = 'fixed' | 'failed' | 'needs_reimage' | 'not_found' | 'deferred' | 'in_progress';

export type Action =
  | {
      type: 'device.result';
      deviceId: number;
      result: DeviceResult;
      method?: string;
      at: number;
      technician?: string;
      keyIdUsed?: string;
      notes?: string;
    }
  | { type: 'device.ring'; deviceId: number; ring: string | null; at: number }
  | { type: 'device.note'; deviceId: number; note: string; at: number }
  | { type: 'key.reveal'; keyId: string; deviceId: number | null; reason: string; at: number }
  /** A named device-explorer view (filters, sort); kept in the workspace so it travels and survives a crash. */
  | { type: 'view.save'; name: string; view: Record<string, unknown>; at: number }
  /** Forgets one saved view, or all of them when name is null. */
  | { type: 'view.forget'; name: string | null; at: number }
  /** A replay policy saved in the workspace (checked with policyText before it is journalled). */
  | { type: 'policy.save'; policy: unknown; at: number }
  /** Chooses the exposure window (epoch ms, inclusive); nulls give it back to the window derived from the facts. */
  | { type: 'window.set'; start: number | null; end: number | null; at: number };
