// The sample's export files as streams of text chunks: Falcon hosts, Intune devices, BitLocker keys, rollout log.
import {
  EXPORT_AT,
  population,
  RINGS,
  type PopulationOptions,
  type SampleDevice,
  type SampleEvent,
  asciiFold,
} from './model.js';
import { csvQuote } from '../shared/csv.js';
import { Rng } from './random.js';
import { invalidRecoveryPassword, validRecoveryPassword } from './recovery-keys.js';

/** Chunks of about this many characters: big enough to amortise the parser's per-chunk cost, small enough to stream. */
const CHUNK_CHARS = 1 << 18;
const DOMAIN = 'corp.example.com';
const DN_SUFFIX = 'DC=corp,DC=example,DC=com';

export const FALCON_HEADER =
  'Hostname,Host ID,Serial Number,Platform,OS Version,OS Build,Product Type,Sensor Version,First Seen,Last Seen,Site,Host Groups,Tags,Last Logged In User,Status';

/** The full "All devices" inventory header of an Intune export (formats.md 1.2), in its mixed label styles. */
export const INTUNE_COLUMNS = [
  'Device ID', 'Device name', 'Enrollment date', 'Last check-in', 'Azure AD Device ID', 'OS version',
  'Azure AD registered', 'EAS activation ID', 'Serial number', 'Manufacturer', 'Model', 'EAS activated', 'IMEI',
  'Last EAS sync time', 'EAS reason', 'EAS status', 'Compliance grace period expiration', 'Security patch level',
  'Wi-Fi MAC', 'MEID', 'Subscriber carrier', 'Total storage', 'Free storage', 'Management name', 'Category', 'UserId',
  'Primary user UPN', 'Primary user email address', 'Primary user display name', 'WiFiIPv4Address', 'WiFiSubnetID',
  'Compliance', 'Managed by', 'Ownership', 'Device state', 'Intune registered', 'Supervised', 'Encrypted', 'OS',
  'SkuFamily', 'JoinType', 'Phone number', 'Jailbroken', 'ICCID', 'EthernetMAC', 'CellularTechnology',
  'ProcessorArchitecture', 'EID', 'SystemManagementBIOSVersion', 'TPMManufacturerId', 'TPMManufacturerVersion',
  'ProductName', 'Management certificate expiration date',
] as const; // prettier-ignore

export const BITLOCKER_HEADER = 'Hostname,KeyID,RecoveryKey,Directory';
export const ROLLOUT_HEADER =
  'timestamp_utc,source,device_key,hostname_raw,ring,package,version_from,version_to,state,error_code_hex,detail';

const quoted = (v: string) => `"${v.replace(/"/g, '""')}"`;

/** `2024-07-19T05:12:44Z`. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Intune's `2024-07-19 04:09:00.0000000`: space separator, 7 fractional digits, no zone. */
export function intuneDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) + ' ' + iso.slice(11, 23) + '0000';
}

const folded = new Map<string, string>();
/** asciiFold, memoised: the name lists are short and this runs per row. */
function fold(s: string): string {
  let f = folded.get(s);
  if (f === undefined) folded.set(s, (f = asciiFold(s).toLowerCase()));
  return f;
}

/** Joins lines into chunks of about CHUNK_CHARS characters. */
function* chunked(lines: Iterable<string>): Generator<string> {
  let buf = '';
  for (const line of lines) {
    buf += line;
    if (buf.length >= CHUNK_CHARS) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

function hostGroups(d: SampleDevice): string {
  const role =
    d.platform === 'Mac'
      ? 'macOS Hosts'
      : d.platform === 'Linux'
        ? 'Linux Servers'
        : d.productType === 'Domain Controller'
          ? 'Domain Controllers'
          : d.productType === 'Server'
            ? 'Windows Servers'
            : d.kind === 'kiosk'
              ? 'Windows Kiosks'
              : 'Windows Workstations';
  return `Ring - ${d.ring}, ${role}`;
}

function falconUser(d: SampleDevice): string {
  return d.user ? `${d.user.first.toLowerCase()}.${d.user.last.toLowerCase()}` : '';
}

function falconRow(d: SampleDevice, aid: string, firstSeen: number, lastSeen: number): string {
  return (
    [
      csvQuote(d.hostname),
      aid,
      csvQuote(d.serial),
      d.platform,
      csvQuote(d.osVersion),
      d.osBuild,
      d.productType,
      d.sensor,
      isoSeconds(firstSeen),
      isoSeconds(lastSeen),
      d.site,
      quoted(hostGroups(d)),
      d.tags.length ? quoted(d.tags.join(', ')) : '',
      csvQuote(falconUser(d)),
      d.contained ? 'contained' : 'normal',
    ].join(',') + '\n'
  );
}

export function* falconLines(opts: PopulationOptions): Generator<string> {
  yield FALCON_HEADER + '\n';
  for (const d of population(opts)) {
    // A reimaged machine: its old sensor record sorts just before the current one, as a hostname sort would.
    if (d.stale) yield falconRow(d, d.stale.aid, d.stale.firstSeen, d.stale.lastSeen);
    yield falconRow(d, d.aid, d.firstSeen, d.lastSeen);
  }
}

function mac(rng: Rng): string {
  return rng.hex(6).toUpperCase();
}

function intuneRow(d: SampleDevice, seed: number): string | null {
  const it = d.intune;
  if (!it) return null;
  const rng = new Rng(seed, d.index, 0x1a7e);
  const win = d.platform === 'Windows';
  const enrolled = d.firstSeen - (1 + rng.int(20)) * 3_600_000;
  // A machine still down cannot check in: its last check-in is before its last crash, never after.
  const jitter = rng.int(3_600_000);
  const down = d.fate === 'unfixed' || d.fate === 'needs_reimage';
  const checkIn = down ? d.lastSeen - jitter : Math.min(EXPORT_AT, d.lastSeen + jitter);
  const u = d.user;
  const upn = u ? `${fold(u.first)}.${fold(u.last)}@example.com` : '';
  const enrolledUs = new Date(enrolled);
  const usDate = `${enrolledUs.getUTCMonth() + 1}/${enrolledUs.getUTCDate()}/${enrolledUs.getUTCFullYear()}`;
  const total = win ? rng.pick([237_824, 476_940, 953_869]) : rng.pick([476_940, 953_869]);
  const compliance =
    d.fate === 'unfixed' || d.fate === 'needs_reimage'
      ? 'Noncompliant'
      : rng.chance(0.95)
        ? 'Compliant'
        : 'InGracePeriod';
  // Only the free-text cells can hold a comma or quote; the rest are ours and plain.
  const cells: string[] = [
    it.id,
    csvQuote(it.name),
    intuneDate(enrolled),
    intuneDate(checkIn),
    it.entraId,
    d.osFullVersion,
    'True',
    '',
    d.serial,
    csvQuote(d.manufacturer),
    csvQuote(d.model),
    'False',
    '',
    '0001-01-01 00:00:00.0000000',
    '',
    'None',
    compliance === 'InGracePeriod' ? intuneDate(EXPORT_AT + 3 * 86_400_000) : '9999-12-31 23:59:59.9999999',
    '',
    mac(rng),
    '',
    '',
    String(total),
    String(Math.floor(total * (0.2 + rng.next() * 0.6))),
    `${u ? upn.split('@')[0] : it.id.slice(0, 8)}_${win ? 'Windows' : 'MacOS'}_${usDate}_${1 + rng.int(12)}:${String(rng.int(60)).padStart(2, '0')} ${rng.chance(0.5) ? 'AM' : 'PM'}`,
    '',
    u ? rng.guid() : '',
    upn,
    upn,
    u ? csvQuote(`${u.first} ${u.last}`) : '',
    `10.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`,
    `10.${rng.int(256)}.0.0`,
    compliance,
    win && rng.chance(0.3) ? 'Co-managed' : 'Intune',
    'Corporate',
    'Managed',
    'Registered',
    'False',
    'True',
    win ? 'Windows' : 'macOS',
    win ? 'Enterprise' : '',
    it.joinType,
    '',
    'Unknown',
    '',
    d.kind === 'laptop' || d.kind === 'mac' ? '' : mac(rng),
    '',
    d.platform === 'Mac' ? 'ARM64' : 'x64',
    '',
    win ? `${d.manufacturer.split(' ')[0]} ${rng.range(1, 2)}.${rng.range(10, 30)}.0` : '',
    win ? rng.pick(['1398033696', '1229346816']) : '',
    win ? rng.pick(['7.2.0.1', '1.258.0.0']) : '',
    csvQuote(d.model),
    intuneDate(enrolled + 365 * 86_400_000),
  ];
  return cells.join(',') + '\r\n';
}

export function* intuneLines(opts: PopulationOptions): Generator<string> {
  // Intune writes UTF-8 with a BOM and Windows line ends.
  yield '\uFEFF' + INTUNE_COLUMNS.map(csvQuote).join(',') + '\r\n';
  for (const d of population(opts)) {
    const row = intuneRow(d, opts.seed);
    if (row) yield row;
  }
}

export interface KeyRow {
  hostname: string;
  keyId: string;
  password: string;
  directory: 'ActiveDirectory' | 'EntraID';
  valid: boolean;
  /** False for a key whose machine is not in the fleet (decommissioned, or never had a sensor). */
  matched: boolean;
}

function distinguishedName(cn: string, site: string, ou: string): string {
  return ou === 'Domain Controllers' ? `CN=${cn},OU=${ou},${DN_SUFFIX}` : `CN=${cn},OU=${ou},OU=${site},${DN_SUFFIX}`;
}

/** The key export's rows for one device (its own keys, and now and then a key for a machine the fleet no longer has). */
export function keyRowsFor(d: SampleDevice, seed: number): KeyRow[] {
  if (d.platform !== 'Windows' || !d.directory) return [];
  const rng = new Rng(seed, d.index, 0x6b65);
  const p = d.kind === 'dc' ? 1 : d.kind === 'server' ? 0.7 : d.kind === 'kiosk' ? 0.9 : 0.94;
  if (!rng.chance(p)) return [];
  const ou =
    d.kind === 'dc'
      ? 'Domain Controllers'
      : d.kind === 'server'
        ? 'Servers'
        : d.kind === 'kiosk'
          ? 'Kiosks'
          : 'Workstations';
  const host = d.directory === 'EntraID' ? d.intune!.name : distinguishedName(d.netbios, d.site, ou);
  const out: KeyRow[] = [];
  const count = rng.chance(0.03) ? 2 : 1;
  for (let k = 0; k < count; k++) out.push(keyRow(rng, host, d.directory, true));
  if (rng.chance(0.005)) {
    const gone = `${d.site}-OLD-${String(d.index).padStart(5, '0')}`;
    const orphanHost = d.directory === 'EntraID' ? gone : distinguishedName(gone, d.site, 'Decommissioned');
    out.push(keyRow(rng, orphanHost, d.directory, false));
  }
  return out;
}

function keyRow(rng: Rng, hostname: string, directory: KeyRow['directory'], matched: boolean): KeyRow {
  const keyId = `{${rng.guid().toUpperCase()}}`;
  const valid = !rng.chance(0.01);
  const password = valid
    ? validRecoveryPassword(rng)
    : invalidRecoveryPassword(rng, rng.chance(0.5) ? 'not-divisible' : 'too-large');
  return { hostname, keyId, password, directory, valid, matched };
}

export function* bitlockerLines(opts: PopulationOptions): Generator<string> {
  yield BITLOCKER_HEADER + '\n';
  for (const d of population(opts)) {
    for (const k of keyRowsFor(d, opts.seed)) {
      const host = k.directory === 'ActiveDirectory' ? quoted(k.hostname) : csvQuote(k.hostname);
      yield `${host},${k.keyId},${k.password},${k.directory}\n`;
    }
  }
}

function eventRow(d: SampleDevice, host: string, e: SampleEvent): string {
  return `${isoSeconds(e.ts)},${e.source},${d.aid},${host},${d.ring},${e.pkg},${e.from},${e.to},${e.state},${e.code},${csvQuote(e.detail)}\n`;
}

export function* rolloutLines(opts: PopulationOptions): Generator<string> {
  yield ROLLOUT_HEADER + '\n';
  for (const d of population(opts)) {
    const host = csvQuote(d.fqdnInLog ? `${d.hostname}.${DOMAIN}` : d.hostname);
    for (const e of d.events) yield eventRow(d, host, e);
  }
}

export const SAMPLE_FILES = [
  { name: 'falcon-hosts.csv', lines: falconLines, bytesPerDevice: 250 },
  { name: 'intune-devices.csv', lines: intuneLines, bytesPerDevice: 620 },
  { name: 'bitlocker-keys.csv', lines: bitlockerLines, bytesPerDevice: 115 },
  { name: 'rollout-events.csv', lines: rolloutLines, bytesPerDevice: 600 },
] as const;
export type SampleFileName = (typeof SAMPLE_FILES)[number]['name'] | 'ground-truth.json';

/** One export file as chunks of text (never one string: the 1 M-device files exceed V8's longest string). */
export function fileChunks(name: (typeof SAMPLE_FILES)[number]['name'], opts: PopulationOptions): Iterable<string> {
  const f = SAMPLE_FILES.find((x) => x.name === name);
  if (!f) throw new Error(`unknown sample file ${name}`);
  return chunked(f.lines(opts));
}

export { RINGS };
