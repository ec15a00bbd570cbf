// Value normalisers shared by every format: host keys, dates (every shape in formats.md) to UTC ms, platforms, rings, tags.

/** Strips spreadsheet-protection prefixes (`'00123`, `="00123"`) and surrounding spaces from a cell. */
export function clean(v: string | undefined): string {
  if (v === undefined) return '';
  let s = v;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || c0 === 9 || s.charCodeAt(s.length - 1) === 32) s = s.trim();
  const c = s.charCodeAt(0);
  if (c === 39 /* ' */) s = s.slice(1);
  else if (c === 61 /* = */ && s.charCodeAt(1) === 34 && s.charCodeAt(s.length - 1) === 34) s = s.slice(2, -1);
  else if (c === 9 /* tab guard */) s = s.slice(1);
  return s;
}

// The hostname normaliser is shared with analysis and remediation; ingest's importers keep reaching it from here.
export { hostKey, shortName, shortNameKey } from '../shared/hostname.js';

const GUID_RE = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** A GUID in any of the spellings (braces or not, either case), lower case without braces; null if not a GUID. */
export function normGuid(raw: string): string | null {
  // A cell that starts and ends with a printable ASCII character has nothing to trim: it is checked by hand (key
  // files ask this of two cells a row, a key ID and a device hint that is mostly a name). The pattern decides the
  // rest, as before.
  let b = raw.length;
  const first = raw.charCodeAt(0);
  const last = raw.charCodeAt(b - 1);
  if (!(first > 32 && first < 127 && last > 32 && last < 127)) {
    const m = GUID_RE.exec(raw.trim());
    return m ? m[1]!.toLowerCase() : null;
  }
  // At most a brace each side of the 36 characters.
  let a = 0;
  if (first === 123) a = 1;
  if (last === 125) b--;
  // (A GUID starts and ends with a hex digit, so a brace at either end can only be the optional one.)
  return b - a === 36 && guidAt(raw, a) ? raw.slice(a, b).toLowerCase() : null;
}

/** Whether a UTF-16 unit is an ASCII hex digit, either case. */
const isHex = (c: number) => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);

/** Whether every character is a hex digit. */
function hexDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isHex(s.charCodeAt(i))) return false;
  return true;
}

/** Whether the 36 characters from `a` are a GUID: hex digits, hyphens after the 8th, 12th, 16th and 20th. */
function guidAt(s: string, a: number): boolean {
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(a + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!isHex(c)) return false;
  }
  return true;
}

const HEX32_RE = /^[0-9a-f]{32}$/i;
export function normAid(raw: string): string | null {
  // The usual cell, 32 hex digits and nothing else, is checked by hand: no trim, replace or pattern per row.
  if (raw.length === 32 && hexDigits(raw)) return raw.toLowerCase();
  const s = raw.trim().replace(/-/g, '');
  return HEX32_RE.test(s) ? s.toLowerCase() : null;
}

/** Outcome of parsing a date cell: ms since the epoch (UTC), null for empty / "never" sentinels, NaN when unreadable. */
export type DateValue = number | null;

const d2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Parses the date shapes of formats.md: ISO-8601 with Z/offset/no zone (no zone = UTC), 7-digit fractions,
 * `0001-01-01` / `9999-12-31` sentinels (= never), US `M/D/YYYY h:mm:ss AM`, `YYYY/MM/DD hh:mm:ss.fff AM`,
 * `MM-DD-YYYY hh:mm:ss tt`, day-first dates when the first number is > 12, and AD FILETIME integers.
 */
export function parseDate(raw: string): DateValue {
  return parseDateInfo(raw, SCRATCH, false);
}

/** What parseDateInfo saw besides the instant: whether a zone was given, and how the day/month order was decided. */
export interface DateInfo {
  /** A zone (`Z`, `±hh:mm`, `UTC`) was written, or the shape is UTC by definition (FILETIME) or has no time. */
  zone: boolean;
  /** Both of the first two numbers could be the month (`07/08/2024`): read by `dayFirst`. */
  ambiguous: boolean;
  /** Evidence of the order from this value alone: 'dmy' (`19/07/2024`), 'mdy' (`7/19/2024`), or null. */
  order: 'dmy' | 'mdy' | null;
}
const SCRATCH: DateInfo = { zone: true, ambiguous: false, order: null };

/**
 * parseDate, reporting into `info` (a caller-owned object, reused per row: no allocation) whether the text had a
 * zone and whether its day/month order was ambiguous; ambiguous dates are read day-first when `dayFirst`.
 */
export function parseDateInfo(raw: string, info: DateInfo, dayFirst: boolean): DateValue {
  info.zone = true;
  info.ambiguous = false;
  info.order = null;
  const s = raw.trim();
  const c = s.charCodeAt(0);
  // The "never" words all start with an n: a date (a digit first) is not matched against them.
  if (s === '' || s === '0' || s === '-' || ((c | 32) === 110 && /^(null|none|never|n\/a)$/i.test(s))) return null;
  // Fast path: YYYY-MM-DD[T ]HH:MM:SS(.f+)?(Z|±HH:MM)?
  if (s.length >= 10 && isDigit(c) && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    const y = d2(s, 0) * 100 + d2(s, 2);
    if (y <= 1601 || y >= 9999) return null;
    const mo = d2(s, 5);
    const d = d2(s, 8);
    let h = 0,
      mi = 0,
      sec = 0,
      ms = 0,
      off = 0;
    let i = 10;
    if (s.length > 10) {
      const sep = s.charCodeAt(10);
      if (sep !== 84 && sep !== 32 && sep !== 116) return NaN;
      h = d2(s, 11);
      mi = d2(s, 14);
      i = 16;
      if (s.charCodeAt(16) === 58) {
        sec = d2(s, 17);
        i = 19;
      }
      if (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44) {
        let j = i + 1;
        let frac = 0;
        let scale = 100;
        while (j < s.length && isDigit(s.charCodeAt(j))) {
          if (scale >= 1) frac += (s.charCodeAt(j) - 48) * scale;
          scale /= 10;
          j++;
        }
        ms = Math.floor(frac);
        i = j;
      }
      info.zone = i < s.length;
      if (i < s.length) {
        const z = s.charCodeAt(i);
        if (z === 90 || z === 122) i++;
        else if (z === 43 || z === 45) {
          const oh = d2(s, i + 1);
          const om = s.charCodeAt(i + 3) === 58 ? d2(s, i + 4) : d2(s, i + 3);
          off = (z === 43 ? 1 : -1) * (oh * 60 + om);
          i += s.charCodeAt(i + 3) === 58 ? 6 : 5;
        } else if (s.slice(i).trim().toUpperCase() === 'UTC') i = s.length;
        if (i !== s.length) return NaN;
      }
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return NaN;
    const t = Date.UTC(y, mo - 1, d, h, mi, sec, ms) - off * 60000;
    return Number.isFinite(t) ? t : NaN;
  }
  // AD FILETIME: 100 ns ticks since 1601-01-01.
  if (/^\d{17,19}$/.test(s)) {
    const ticks = Number(s);
    if (ticks === 0 || s === '9223372036854775807') return null;
    return Math.round(ticks / 10000) - 11644473600000;
  }
  // Slash / dash dates with the year first or last, optional time and AM/PM.
  const m =
    /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([AaPp][Mm])?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/.exec(
      s,
    );
  if (!m) return NaN;
  let y: number, mo: number, d: number;
  const a = Number(m[1]),
    b = Number(m[2]),
    cc = Number(m[3]);
  if (m[1]!.length === 4) {
    y = a;
    mo = b;
    d = cc;
  } else {
    y = m[3]!.length === 2 ? 2000 + cc : cc;
    // US order unless the first number cannot be a month (or the column has shown itself day-first).
    if (a > 12) info.order = 'dmy';
    else if (b > 12) info.order = 'mdy';
    else if (a !== b) info.ambiguous = true;
    if (a > 12 || (dayFirst && b <= 12)) {
      d = a;
      mo = b;
    } else {
      mo = a;
      d = b;
    }
  }
  let h = m[4] ? Number(m[4]) : 0;
  const mi = m[5] ? Number(m[5]) : 0;
  const sec = m[6] ? Number(m[6]) : 0;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (m[8]) {
    const pm = m[8].toLowerCase() === 'pm';
    if (h < 1 || h > 12) return NaN;
    if (pm && h < 12) h += 12;
    if (!pm && h === 12) h = 0;
  }
  info.zone = !!m[9] || !m[4];
  let off = 0;
  if (m[9] && m[9] !== 'Z' && m[9] !== 'UTC') {
    const z = m[9].replace(':', '');
    off = (z[0] === '+' ? 1 : -1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  }
  if (y <= 1601 || y >= 9999) return null;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms) - off * 60000;
}

/** True when a date is written day/month ambiguous (both numbers <= 12, not year-first). */
export function ambiguousDayMonth(raw: string): boolean {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}/.exec(raw.trim());
  return !!m && Number(m[1]) <= 12 && Number(m[2]) <= 12 && m[1] !== m[2];
}

export function normPlatform(raw: string): string | null {
  const s = raw.trim().toLowerCase();
  if (s === '') return null;
  if (s.startsWith('win') || s === '1') return 'windows';
  if (s.startsWith('mac') || s.includes('os x') || s === 'darwin') return 'mac';
  if (
    s.startsWith('linux') ||
    /ubuntu|debian|rhel|red hat|centos|fedora|suse|amazon linux|rocky|alma/.test(s) ||
    s === 'ubuntu'
  )
    return 'linux';
  return 'other';
}

export function normDeviceType(raw: string): string | null {
  const s = raw.trim().toLowerCase();
  if (s === '') return null;
  if (s.includes('domain controller') || s === 'dc') return 'dc';
  if (s.includes('server')) return 'server';
  if (/workstation|desktop|laptop|client|kiosk|notebook/.test(s)) return 'workstation';
  return null;
}

const RING_NAMES: Record<string, string> = {
  test: 'Test',
  first: 'First',
  fast: 'Fast',
  broad: 'Broad',
  pilot: 'Pilot',
  production: 'Production',
  canary: 'Canary',
  last: 'Last',
  ring0: 'Test',
  ring1: 'First',
  ring2: 'Fast',
  ring3: 'Broad',
};

/** Canonical ring label: the four Autopatch-style names capitalised, anything else kept as written. */
export function normRing(raw: string): string | null {
  const s = raw.trim();
  if (s === '') return null;
  const k = s.toLowerCase().replace(/\s+/g, '');
  return RING_NAMES[k] ?? s;
}

/** A ring named inside a group / collection / team label: `Ring - Test`, `Ring: Fast`, `...-Windows Autopatch-Broad`. */
export function ringFromLabel(label: string): string | null {
  const s = label.trim();
  let m = /^ring\s*[-:_/ ]\s*(.+)$/i.exec(s);
  if (m) return normRing(m[1]!);
  m = /autopatch\s*-\s*(test|first|fast|broad|ring\s*\d|last)$/i.exec(s);
  if (m) return normRing(m[1]!);
  m = /(?:^|[\s_-])(test|first|fast|broad)\s*ring$/i.exec(s);
  if (m) return normRing(m[1]!);
  // A phase collection or group that ends in its ring: `CrowdStrike Sensor - Ring - Fast`, `Sensor_Ring_2`.
  m = /[\s_-]ring\s*[-:_/ ]\s*(test|first|fast|broad|\d+)$/i.exec(s);
  if (m) return normRing(m[1]!);
  return null;
}

/** Splits a multi-value cell (`a, b`, `a;b`, a JSON array) into trimmed items. */
export function splitList(raw: string): string[] {
  const s = raw.trim();
  if (s === '') return [];
  if (s.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(s);
      if (Array.isArray(v)) return v.map((x) => String(x).trim()).filter(Boolean);
    } catch {
      // not JSON: fall through to delimiter splitting
    }
  }
  return s
    .split(/[,;|]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Tags lower case without the Falcon grouping prefix (`FalconGroupingTags/Critical-Clinical` → `critical-clinical`). */
export function normTags(items: string[]): string[] {
  const out: string[] = [];
  for (const t of items) {
    const slash = t.lastIndexOf('/');
    const v = (slash >= 0 ? t.slice(slash + 1) : t).trim().toLowerCase().replace(/,/g, ' ');
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

export function mergeTags(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  const set = a.split(',');
  for (const t of b.split(',')) if (t && !set.includes(t)) set.push(t);
  return set.join(',');
}

/** A value Excel turned into scientific notation (a long serial or recovery key), e.g. `1.23457E+47`. */
export function excelMangled(v: string): boolean {
  return /^\d(\.\d+)?E\+\d+$/i.test(v.trim());
}

/** Renders an unsigned decimal error code (ConfigMgr) or a signed one as 0x-hex; hex input is normalised. */
export function errorHex(raw: string): string | null {
  const s = raw.trim();
  if (s === '' || s === '0') return null;
  if (/^0x[0-9a-f]+(_[0-9a-f]+)?$/i.test(s)) return '0x' + s.slice(2).toUpperCase();
  if (/^-?\d+$/.test(s)) {
    let n = Number(s);
    if (n < 0) n = n >>> 0;
    return '0x' + n.toString(16).toUpperCase().padStart(8, '0');
  }
  return s;
}
