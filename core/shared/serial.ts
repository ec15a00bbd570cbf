// The serial-number rule identity matches on, shared by the import (core/ingest/identity.ts) and the store (serial_key).

/** Serials that many machines share (VM templates, OEM placeholders) never identify a device. */
const JUNK_SERIAL =
  /^(0+|none|null|n\/?a|unknown|default string|to be filled by o\.?e\.?m\.?|system serial number|123456789|-)$/i;

export function usableSerial(s: string | null): string | null {
  if (!s) return null;
  const t = s.trim();
  if (t.length < 4 || JUNK_SERIAL.test(t) || /^\d(\.\d+)?E\+\d+$/i.test(t)) return null;
  return t.toUpperCase();
}
