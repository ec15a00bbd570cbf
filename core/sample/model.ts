// The sample incident's device population (19 July 2024), drawn one device at a time from the seed; each device's
// story of the day is story.ts's.
import { Rng } from './random.js';
import { DAY, MIN, sec, tellStory, WINDOW_END } from './story.js';
import type { Fate, SampleEvent } from './story.js';

// The timeline and the story's types are story.ts's; re-exported for the sample's files, truth and the test fixtures.
export {
  AFFECTED_FATES,
  EXPORT_AT,
  INCIDENT_DAY,
  WINDOW_END,
  WINDOW_START,
  type Fate,
  type RolloutState,
  type SampleEvent,
} from './story.js';

export const RINGS = ['Test', 'First', 'Fast', 'Broad'] as const;
export type Ring = (typeof RINGS)[number];
const RING_WEIGHTS: readonly (readonly [Ring, number])[] = [
  ['Test', 1],
  ['First', 1],
  ['Fast', 9],
  ['Broad', 89],
];

export interface Site {
  code: string;
  weight: number;
}
export const SITES: readonly Site[] = [
  { code: 'LON', weight: 14 },
  { code: 'NYC', weight: 14 },
  { code: 'FRA', weight: 9 },
  { code: 'CHI', weight: 9 },
  { code: 'PAR', weight: 8 },
  { code: 'SIN', weight: 7 },
  { code: 'AMS', weight: 7 },
  { code: 'TYO', weight: 7 },
  { code: 'SYD', weight: 6 },
  { code: 'TOR', weight: 6 },
  { code: 'MAD', weight: 6 },
  { code: 'DUB', weight: 5 },
  { code: 'ZRH', weight: 2 },
];
const SITE_WEIGHTS = SITES.map((s) => [s.code, s.weight] as const);

export type Platform = 'Windows' | 'Mac' | 'Linux';
export type ProductType = 'Workstation' | 'Server' | 'Domain Controller';
export type Kind = 'pc' | 'laptop' | 'kiosk' | 'server' | 'dc' | 'mac' | 'linux';
const KIND_WEIGHTS: readonly (readonly [Kind, number])[] = [
  ['pc', 38],
  ['laptop', 43],
  ['kiosk', 3],
  ['server', 5.4],
  ['dc', 0.1],
  ['mac', 7.5],
  ['linux', 3],
];

export interface Person {
  first: string;
  last: string;
}

export interface SampleDevice {
  index: number;
  aid: string;
  hostname: string;
  /** The 15-character NetBIOS name AD knows the machine by. */
  netbios: string;
  site: string;
  ring: Ring;
  kind: Kind;
  platform: Platform;
  productType: ProductType;
  osVersion: string;
  osBuild: string;
  /** Intune-style full version (10.0.19045.4651). */
  osFullVersion: string;
  sensor: string;
  susceptible: boolean;
  serial: string;
  manufacturer: string;
  model: string;
  firstSeen: number;
  lastSeen: number;
  tags: string[];
  user: Person | null;
  contained: boolean;
  /** Intune enrolment (Windows clients and Macs); null when the device is not in Intune. */
  intune: { id: string; entraId: string; name: string; joinType: string } | null;
  /** Where its BitLocker key is escrowed (Windows only). */
  directory: 'ActiveDirectory' | 'EntraID' | null;
  /** Rollout log writes this device's name as an FQDN. */
  fqdnInLog: boolean;
  /** The older Falcon record of a reimaged machine: same hostname and serial, another AID, last seen before 19 July. */
  stale: { aid: string; firstSeen: number; lastSeen: number } | null;
  fate: Fate;
  events: SampleEvent[];
}

export interface PopulationOptions {
  seed: number;
  devices: number;
}

const FIRST: readonly string[] = [
  'Anna', 'Ben', 'Chloé', 'David', 'Emma', 'François', 'Grace', 'Hiro', 'Ines', 'José', 'Jörg', 'Kasia', 'Liam',
  'María', 'Noah', 'Olivia', 'Søren', 'Zoë', 'Łukasz', 'Priya', 'Wei', 'Yusuf', 'Aoife', 'Mateo', 'Sam', 'Fatima',
]; // prettier-ignore
const LAST: readonly string[] = [
  'Smith', 'Núñez', 'Müller', 'Dubois', 'García', 'Tanaka', 'O’Brien', 'Kowalski', 'Jensen', 'Rossi', 'Chen',
  'Patel', 'Ng', 'Brown', 'Schmidt', 'Martin', 'Silva', 'Johansson', 'Murphy', 'Dupont', 'Novak', 'Kim',
]; // prettier-ignore
const DEPTS = ['FINANCE', 'MARKETING', 'RESEARCH', 'LOGISTICS', 'RECEPTION', 'TRADING'];
const SERVER_ROLES = ['APP', 'SQL', 'FS', 'WEB', 'CTX', 'PRT', 'RDS'];

const WIN_SENSORS: readonly (readonly [string, number])[] = [
  ['7.10.17706.0', 7],
  ['7.10.17808.0', 5],
  ['7.11.18110.0', 10],
  ['7.11.18209.0', 8],
  ['7.15.18513.0', 18],
  ['7.15.18514.0', 12],
  ['7.16.18605.0', 25],
  ['7.16.18613.0', 15],
];

/** Letters and digits folded to ASCII, for UPNs and account names. */
export function asciiFold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/Ł/g, 'L')
    .replace(/ł/g, 'l')
    .replace(/ø/g, 'o')
    .replace(/Ø/g, 'O')
    .replace(/[’']/g, '');
}

function base36(n: number, width: number): string {
  return n.toString(36).toUpperCase().padStart(width, '0');
}

/** `421a5b7c` -> `42 1a 5b 7c`, as VMware writes its serials. */
function spaced(hex: string): string {
  return hex.match(/../g)!.join(' ');
}

/** The devices in order, each drawn from its own stream (seed, index), with its events. */
export function* population(opts: PopulationOptions): Generator<SampleDevice> {
  const width = Math.max(5, String(Math.max(0, opts.devices - 1)).length);
  for (let i = 0; i < opts.devices; i++) yield makeDevice(opts.seed, i, width);
}

export function makeDevice(seed: number, index: number, width: number): SampleDevice {
  const rng = new Rng(seed, index, 0x5a3e);
  const num = String(index).padStart(width, '0');
  const site = rng.weighted(SITE_WEIGHTS);
  const ring = rng.weighted(RING_WEIGHTS);
  const kind = rng.weighted(KIND_WEIGHTS);
  const platform: Platform = kind === 'mac' ? 'Mac' : kind === 'linux' ? 'Linux' : 'Windows';
  const productType: ProductType = kind === 'server' ? 'Server' : kind === 'dc' ? 'Domain Controller' : 'Workstation';
  const aid = rng.hex(16);

  let hostname: string;
  if (kind === 'pc' || kind === 'laptop') {
    if (rng.chance(0.02)) {
      // Longer than NetBIOS allows: AD (and the BitLocker export) knows it by its first 15 characters.
      hostname = `${site}${num}-${rng.pick(DEPTS)}-${kind === 'pc' ? 'DESKTOP' : 'LAPTOP'}`;
    } else hostname = `${site}-${kind === 'pc' ? 'PC' : 'LT'}-${num}`;
  } // Kept within 15 characters so AD's NetBIOS name stays unique; the Zürich tills carry a non-ASCII name.
  else if (kind === 'kiosk') hostname = site === 'ZRH' ? `Zürich-K${num}` : `${site}-KSK-${num}`;
  else if (kind === 'server') hostname = `${site}-${rng.pick(SERVER_ROLES)}-${num}`;
  else if (kind === 'dc') hostname = `${site}-DC-${num}`;
  else if (kind === 'mac') hostname = `${site}-MAC-${num}`;
  else hostname = `lnx-${site.toLowerCase()}-${num}`;
  const netbios = hostname.slice(0, 15);

  let osVersion: string;
  let osBuild: string;
  let osFullVersion: string;
  let sensor: string;
  if (platform === 'Windows') {
    if (productType === 'Workstation') {
      const win11 = rng.chance(0.55);
      osVersion = win11 ? 'Windows 11' : 'Windows 10';
      osBuild = win11 ? '22631' : '19045';
      osFullVersion = win11 ? '10.0.22631.3880' : '10.0.19045.4651';
    } else {
      const s2022 = rng.chance(0.6);
      osVersion = s2022 ? 'Windows Server 2022' : 'Windows Server 2019';
      osBuild = s2022 ? '20348' : '17763';
      osFullVersion = s2022 ? '10.0.20348.2582' : '10.0.17763.6054';
    }
    sensor = rng.weighted(WIN_SENSORS);
  } else if (platform === 'Mac') {
    const sonoma = rng.chance(0.7);
    osVersion = sonoma ? 'Sonoma (14)' : 'Ventura (13)';
    osBuild = sonoma ? '23F79' : '22G720';
    osFullVersion = sonoma ? '14.5 (23F79)' : '13.6.7 (22G720)';
    sensor = rng.pick(['7.15.18408.0', '7.16.18502.0']);
  } else {
    const rhel = rng.chance(0.4);
    osVersion = rhel ? 'RHEL 8.9' : 'Ubuntu 22.04';
    osBuild = rhel ? '4.18.0-513.24.1.el8_9.x86_64' : '5.15.0-113-generic';
    osFullVersion = osBuild;
    sensor = rng.pick(['7.14.17705.0', '7.16.18506.0']);
  }
  const minor = Number(sensor.split('.')[1]);
  const susceptible = platform === 'Windows' && minor >= 11;

  // Serial numbers in each maker's shape; the index keeps them unique across the fleet.
  let serial: string;
  let manufacturer: string;
  let model: string;
  if (kind === 'mac') {
    serial = `C02${base36(index, 6)}${rng.hex(2).toUpperCase().slice(0, 3)}`.slice(0, 12);
    manufacturer = 'Apple';
    model = rng.pick(['MacBook Pro (14-inch, 2023)', 'MacBook Air (M2, 2022)']);
  } else if ((kind === 'server' && rng.chance(0.5)) || kind === 'linux') {
    if (kind === 'linux' && rng.chance(0.2)) serial = '';
    else {
      const h = rng.hex(16);
      serial = `VMware-${spaced(h.slice(0, 16))}-${spaced(h.slice(16))}`;
    }
    manufacturer = 'VMware, Inc.';
    model = 'VMware7,1';
  } else {
    const maker = kind === 'server' || kind === 'dc' ? 'Dell' : rng.pick(['HP', 'Dell', 'Lenovo', 'Microsoft']);
    if (maker === 'HP') {
      serial = `5CD${base36(index, 7)}`;
      manufacturer = 'HP';
      model = kind === 'pc' ? 'HP EliteDesk 800 G6' : 'HP EliteBook 840 G8';
    } else if (maker === 'Dell') {
      serial = `${String.fromCharCode(65 + rng.int(26))}${rng.int(10)}${String.fromCharCode(65 + rng.int(26))}${base36(index, 4)}`;
      manufacturer = 'Dell Inc.';
      model = kind === 'server' || kind === 'dc' ? 'PowerEdge R650' : kind === 'pc' ? 'OptiPlex 7090' : 'Latitude 5420';
    } else if (maker === 'Lenovo') {
      serial = `PF${base36(index, 6)}`;
      manufacturer = 'LENOVO';
      model = 'ThinkPad T14 Gen 3';
    } else {
      // Surface serials are 12 digits, often with leading zeros: a spreadsheet's favourite number to mangle.
      serial = String(index * 7 + rng.int(7)).padStart(12, '0');
      manufacturer = 'Microsoft Corporation';
      model = 'Surface Laptop 5';
    }
  }

  const tags: string[] = [];
  if (kind === 'server') tags.push('FalconGroupingTags/Server');
  if (kind === 'dc') tags.push('FalconGroupingTags/Server', 'FalconGroupingTags/Critical-Identity');
  if (kind === 'kiosk') tags.push('SensorGroupingTags/Kiosk');
  if (kind === 'kiosk' && site === 'ZRH') tags.push('FalconGroupingTags/Critical-Payments');
  if ((kind === 'pc' || kind === 'laptop') && rng.chance(0.03)) tags.push('FalconGroupingTags/Critical-Clinical');
  if (kind === 'pc' && rng.chance(0.06)) tags.push('SensorGroupingTags/VDI');

  const user: Person | null =
    productType === 'Workstation' && kind !== 'kiosk' && rng.chance(0.97)
      ? { first: rng.pick(FIRST), last: rng.pick(LAST) }
      : null;

  let intune: SampleDevice['intune'] = null;
  let directory: SampleDevice['directory'] = null;
  if ((kind === 'pc' || kind === 'laptop' || kind === 'kiosk' || kind === 'mac') && rng.chance(0.97)) {
    const entraJoined = kind === 'kiosk' || (kind !== 'mac' && rng.chance(0.4));
    let name = hostname;
    if (kind === 'mac' && user && rng.chance(0.3)) name = `${user.first}’s MacBook Pro`;
    else if (rng.chance(0.03)) name = hostname.toLowerCase();
    intune = {
      id: rng.guid(),
      entraId: rng.guid(),
      name,
      joinType: kind === 'mac' ? '' : entraJoined ? 'Azure AD joined' : 'Hybrid Azure AD joined',
    };
    if (platform === 'Windows') directory = entraJoined ? 'EntraID' : 'ActiveDirectory';
  } else if (platform === 'Windows') directory = 'ActiveDirectory';

  // Enrolment: most before the incident; a few machines first seen after the window closed.
  const isNew = rng.chance(0.005);
  let firstSeen = isNew
    ? sec(WINDOW_END + 30 * MIN + rng.int(3 * DAY))
    : sec(Date.UTC(2021, 5, 1) + rng.int(Date.UTC(2024, 6, 10) - Date.UTC(2021, 5, 1)));
  let stale: SampleDevice['stale'] = null;
  if (!isNew && (kind === 'pc' || kind === 'laptop') && rng.chance(0.012)) {
    const staleLast = sec(Date.UTC(2024, 4, 1) + rng.int(60 * DAY));
    stale = { aid: rng.hex(16), firstSeen: sec(Date.UTC(2022, 0, 1) + rng.int(500 * DAY)), lastSeen: staleLast };
    firstSeen = staleLast + sec(DAY + rng.int(2 * DAY));
  }

  const dev: SampleDevice = {
    index,
    aid,
    hostname,
    netbios,
    site,
    ring,
    kind,
    platform,
    productType,
    osVersion,
    osBuild,
    osFullVersion,
    sensor,
    susceptible,
    serial,
    manufacturer,
    model,
    firstSeen,
    lastSeen: firstSeen,
    tags,
    user,
    contained: rng.chance(0.002),
    intune,
    directory,
    fqdnInLog: rng.chance(0.05),
    stale,
    fate: 'other_platform',
    events: [],
  };
  tellStory(dev, rng, isNew);
  return dev;
}
