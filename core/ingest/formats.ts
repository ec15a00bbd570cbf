// Source formats: header signatures for detection and per-source alias tables (UI labels and API names) onto fields.
import type { ImportKind, SourceFormat } from '../contract/ingest.js';

/** Canonical fields a column can map onto. Device fields feed `devices`, key fields `keys`, event fields `events`. */
export const FIELDS = [
  // devices
  'hostname',
  'falcon_aid',
  'entra_id',
  'intune_id',
  'serial',
  'site',
  'ring',
  'groups',
  'tags',
  'platform',
  'os_version',
  'os_build',
  'device_type',
  'agent_version',
  'first_seen',
  'last_seen',
  'user',
  'model',
  'dn',
  'status',
  // keys
  'key_host',
  'key_id',
  'key',
  'directory',
  'volume_type',
  'created',
  // events
  'ts',
  'device_key',
  'state',
  'package',
  'version_from',
  'version_to',
  'source',
  'error',
  'detail',
] as const;
export type Field = (typeof FIELDS)[number];

export type Aliases = Partial<Record<Field, string[]>>;

export interface FormatSpec {
  format: SourceFormat;
  kind: ImportKind;
  label: string;
  /** True when the normalised header names identify this source. */
  detect(h: Set<string>): boolean;
  aliases: Aliases;
}

/** Header names compare case-insensitively, ignoring spaces, punctuation and a trailing `(2)` de-duplication suffix. */
export function normHeader(h: string): string {
  return h.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const has = (h: Set<string>, ...names: string[]) => names.every((n) => h.has(n));
const any = (h: Set<string>, ...names: string[]) => names.some((n) => h.has(n));

const KEY_ALIASES: Aliases = {
  key_host: [
    'Hostname',
    'ComputerName',
    'Computer Name',
    'Device name',
    'DeviceName',
    'deviceId',
    'DistinguishedName',
    'Computer',
  ],
  key_id: [
    'KeyID',
    'Key ID',
    'Id',
    'RecoveryGuid',
    'msFVE-RecoveryGuid',
    'KeyProtectorId',
    'RecoveryKeyId',
    'Recovery Key ID',
    'Name',
    'Password ID',
  ],
  key: ['RecoveryKey', 'Key', 'RecoveryPassword', 'msFVE-RecoveryPassword', 'Recovery Password', 'Recovery Key'],
  directory: ['Directory'],
  volume_type: ['volumeType', 'VolumeType', 'Drive type'],
  created: ['createdDateTime', 'whenCreated', 'Created', 'LastUpdateTime'],
};

export const SPECS: FormatSpec[] = [
  {
    format: 'bitlocker',
    kind: 'keys',
    label: 'BitLocker recovery keys',
    detect: (h) =>
      any(h, 'recoverykey', 'key', 'recoverypassword', 'msfverecoverypassword') &&
      any(h, 'keyid', 'id', 'recoveryguid', 'msfverecoveryguid', 'keyprotectorid', 'recoverykeyid', 'name'),
    aliases: KEY_ALIASES,
  },
  {
    format: 'rollout',
    kind: 'rollout',
    label: 'Ringside rollout event log',
    detect: (h) => any(h, 'timestamputc', 'timestamp') && h.has('state') && any(h, 'devicekey', 'hostnameraw'),
    aliases: {
      ts: ['timestamp_utc', 'timestamp', 'time'],
      source: ['source'],
      device_key: ['device_key', 'device_id'],
      hostname: ['hostname_raw', 'hostname'],
      ring: ['ring'],
      package: ['package'],
      version_from: ['version_from'],
      version_to: ['version_to', 'version'],
      state: ['state'],
      error: ['error_code_hex', 'error_code'],
      detail: ['detail', 'details', 'message'],
    },
  },
  {
    format: 'wufb',
    kind: 'rollout',
    label: 'Windows Update for Business reports',
    detect: (h) =>
      (h.has('clientsubstate') && any(h, 'azureaddeviceid', 'globaldeviceid', 'devicename')) ||
      has(h, 'alertclassification', 'alertsubtype'),
    aliases: {
      hostname: ['DeviceName'],
      device_key: ['AzureADDeviceId', 'GlobalDeviceId'],
      ts: ['ClientSubstateTime', 'StartTime', 'UpdateInstalledTime', 'TimeGenerated'],
      state: ['ClientSubstate', 'AlertClassification', 'ClientState'],
      package: ['TargetKBNumber', 'UpdateDisplayName'],
      version_to: ['TargetBuild', 'TargetVersion'],
      error: ['ErrorCode'],
      detail: ['ErrorSymName', 'Description', 'AlertSubtype', 'UpdateClassification'],
    },
  },
  {
    format: 'configmgr',
    kind: 'rollout',
    label: 'Configuration Manager deployment status',
    detect: (h) => h.has('enforcementstate'),
    aliases: {
      hostname: ['MachineName', 'DeviceName', 'Name', 'Name0'],
      ts: ['StartTime', 'LastStatusTime', 'StatusTime'],
      state: ['EnforcementState'],
      package: ['AppName', 'SoftwareName', 'AssignmentName'],
      ring: ['CollectionName'],
      error: ['ErrorCode'],
      detail: ['DTName', 'StatusType'],
    },
  },
  {
    format: 'events',
    kind: 'rollout',
    label: 'Windows events 41 / 1001 / 6008',
    detect: (h) => h.has('timecreated') && any(h, 'id', 'eventid') && any(h, 'message', 'providername', 'machinename'),
    aliases: {
      hostname: ['MachineName', 'Computer', 'ComputerName'],
      ts: ['TimeCreated'],
      state: ['Id', 'EventID'],
      source: ['ProviderName'],
      detail: ['Message'],
    },
  },
  {
    format: 'falcon',
    kind: 'fleet',
    label: 'CrowdStrike Falcon hosts',
    detect: (h) =>
      (h.has('hostid') && h.has('hostname')) ||
      (has(h, 'deviceid', 'agentversion') && any(h, 'hostname', 'platformname')) ||
      has(h, 'hostname', 'lastseen', 'sensorversion'),
    aliases: {
      hostname: ['Hostname', 'hostname', 'Host Name'],
      falcon_aid: ['Host ID', 'device_id', 'AID', 'Sensor ID', 'Agent ID'],
      serial: ['Serial Number', 'serial_number'],
      platform: ['Platform', 'platform_name', 'OS'],
      os_version: ['OS Version', 'os_version', 'os_product_name'],
      os_build: ['OS Build', 'os_build', 'build_number'],
      device_type: ['Product Type', 'product_type_desc', 'Type'],
      agent_version: ['Sensor Version', 'agent_version', 'Agent Version'],
      first_seen: ['First Seen', 'first_seen'],
      last_seen: ['Last Seen', 'last_seen', 'Last_Seen'],
      site: ['Site', 'site_name'],
      groups: ['Host Groups', 'groups', 'Host Group', 'group_names'],
      tags: ['Tags', 'tags', 'Grouping Tags', 'Sensor Tags'],
      user: ['Last Logged In User', 'last_login_user', 'Last Login User'],
      model: ['Model', 'system_product_name', 'System Product Name'],
      ring: ['Ring', 'Content Policy Ring', 'ring_assignment'],
      status: ['Status', 'status'],
      dn: ['OU', 'ou'],
    },
  },
  {
    format: 'entra',
    kind: 'fleet',
    label: 'Microsoft Entra ID devices',
    detect: (h) => h.has('jointypetrusttype') || has(h, 'deviceid', 'approximatelastsignindatetime'),
    aliases: {
      hostname: ['displayName', 'DisplayName'],
      entra_id: ['deviceId', 'DeviceId'],
      platform: ['operatingSystem', 'OperatingSystem'],
      os_version: ['operatingSystemVersion', 'OperatingSystemVersion'],
      first_seen: ['registrationTime', 'RegistrationDateTime', 'CreatedDateTime'],
      last_seen: ['approximateLastSignInDateTime', 'ApproximateLastSignInDateTime'],
      user: ['userNames', 'registeredOwners'],
      model: ['model', 'Model'],
    },
  },
  // Defender and Autopatch exports carry an `Azure AD device ID` / `Microsoft Entra device ID` column, which alone
  // reads as Intune: their own signatures are checked first.
  {
    format: 'defender',
    kind: 'fleet',
    label: 'Microsoft Defender for Endpoint devices',
    detect: (h) => h.has('computerdnsname') || h.has('onboardingstatus') || has(h, 'healthstatus', 'osplatform'),
    aliases: {
      hostname: ['computerDnsName', 'Device name', 'Device Name'],
      entra_id: ['aadDeviceId', 'Azure AD device ID'],
      platform: ['osPlatform', 'OS platform', 'OS Platform'],
      os_version: ['osVersion', 'version', 'Windows version'],
      os_build: ['osBuild', 'OS build'],
      first_seen: ['firstSeen', 'First seen'],
      last_seen: ['lastSeen', 'Last device update', 'Last seen'],
      tags: ['machineTags', 'Tags', 'Device tags'],
      ring: ['AvSignatureRing', 'avSignatureRing'],
      status: ['healthStatus', 'Sensor health state'],
    },
  },
  {
    format: 'autopatch',
    kind: 'rollout',
    label: 'Windows Autopatch quality update status',
    detect: (h) => h.has('deploymentring') && any(h, 'devicename', 'updatestatus'),
    aliases: {
      hostname: ['Device name'],
      ring: ['Deployment ring'],
      state: ['Update status'],
      status: ['Pause status'],
      version_to: ['Current version'],
      device_key: ['Microsoft Entra device ID', 'Azure AD device ID'],
      serial: ['Serial number'],
      ts: ['Quality update Installed Time', 'Intune last check in time'],
      error: ['Hex Error Code'],
      detail: ['Alerts', 'Client Substate'],
    },
  },
  {
    format: 'intune',
    kind: 'fleet',
    label: 'Microsoft Intune devices',
    detect: (h) =>
      any(h, 'primaryuserupn', 'azureaddeviceid', 'microsoftentradeviceid') ||
      (h.has('devicename') && any(h, 'lastcontact', 'lastcheckin', 'enrollmentdate') && !h.has('deploymentring')),
    aliases: {
      hostname: ['Device name', 'DeviceName'],
      intune_id: ['Device ID', 'DeviceId'],
      entra_id: ['Azure AD Device ID', 'Microsoft Entra Device ID', 'ReferenceId', 'AzureADDeviceId', 'AadDeviceId'],
      serial: ['Serial number', 'SerialNumber'],
      platform: ['OS_loc', 'OS', 'Operating system'],
      os_version: ['OS version', 'OSVersion'],
      first_seen: ['Enrollment date', 'CreatedDate', 'EnrolledDateTime'],
      last_seen: ['Last check-in', 'LastContact', 'LastSyncDateTime'],
      user: ['Primary user UPN', 'UPN', 'UserPrincipalName'],
      model: ['Model'],
      ring: ['Ring'],
    },
  },
  {
    format: 'ad',
    kind: 'fleet',
    label: 'Active Directory computers',
    detect: (h) =>
      h.has('distinguishedname') && any(h, 'samaccountname', 'dnshostname', 'lastlogontimestamp', 'operatingsystem'),
    aliases: {
      hostname: ['Name', 'DNSHostName', 'SamAccountName', 'CN'],
      dn: ['DistinguishedName'],
      platform: ['OperatingSystem'],
      os_version: ['OperatingSystemVersion'],
      last_seen: ['lastLogonTimestamp', 'LastLogonDate', 'LastLogon'],
      first_seen: ['whenCreated', 'Created'],
      status: ['Enabled'],
    },
  },
  {
    format: 'configmgr',
    kind: 'fleet',
    label: 'Configuration Manager devices',
    detect: (h) =>
      any(h, 'name0', 'netbiosname0') || (h.has('resourceid') && any(h, 'clientversion', 'deviceos', 'isclient')),
    aliases: {
      hostname: ['Name0', 'Netbios_Name0', 'Name'],
      serial: ['SerialNumber0', 'SerialNumber'],
      platform: ['Operating_System_Name_and0', 'OperatingSystemNameandVersion', 'DeviceOS'],
      os_version: ['DeviceOSBuild', 'Build01'],
      last_seen: ['Last_Logon_Timestamp0', 'LastActiveTime', 'LastLogonTimestamp'],
      user: ['User_Name0', 'LastLogonUserName', 'CurrentLogonUser'],
      site: ['ADSiteName', 'AD_Site_Name0'],
      ring: ['CollectionName', 'Collection'],
      model: ['Model0'],
    },
  },
  {
    format: 'sentinelone',
    kind: 'fleet',
    label: 'SentinelOne agents',
    detect: (h) =>
      (h.has('computername') && any(h, 'networkstatus', 'lastactivedate', 'agentversion')) ||
      has(h, 'subscribedon', 'managementconnectivity'),
    aliases: {
      hostname: ['computerName', 'Endpoint Name'],
      serial: ['serialNumber', 'Serial Number'],
      platform: ['osType', 'osName', 'OS'],
      os_version: ['osRevision', 'OS Version'],
      device_type: ['machineType', 'Machine Type'],
      first_seen: ['registeredAt', 'Subscribed On'],
      last_seen: ['lastActiveDate', 'Last Active'],
      site: ['siteName', 'Site'],
      user: ['lastLoggedInUserName', 'Last Logged In User'],
      model: ['modelName', 'Model'],
      tags: ['tags'],
    },
  },
  {
    format: 'fleet',
    kind: 'fleet',
    label: 'Fleet hosts',
    detect: (h) => h.has('hardwareserial') || has(h, 'osqueryversion', 'hostname'),
    aliases: {
      hostname: ['computer_name', 'hostname'],
      serial: ['hardware_serial'],
      platform: ['platform'],
      os_version: ['os_version'],
      last_seen: ['seen_time'],
      first_seen: ['last_enrolled_at', 'created_at'],
      ring: ['team_name'],
      model: ['hardware_model'],
      status: ['status'],
    },
  },
  {
    format: 'tanium',
    kind: 'fleet',
    label: 'Tanium sensor results',
    detect: (h) => h.has('computername') && any(h, 'computerserialnumber', 'taniumclientipaddress', 'operatingsystem'),
    aliases: {
      hostname: ['Computer Name'],
      serial: ['Computer Serial Number'],
      platform: ['Operating System'],
      os_version: ['Asset OS Version', 'OS Version'],
      model: ['Model'],
      tags: ['Custom Tags'],
    },
  },
];

/** Picks the format whose signature the header matches (first wins: the list is ordered most specific first). */
export function detectFormat(names: string[]): FormatSpec | null {
  const h = new Set(names.map(normHeader));
  return SPECS.find((s) => s.detect(h)) ?? null;
}

/** Column index of each field for this header (-1 when absent); the first alias present wins. */
/** Every column present for one field, in alias order (a later one fills in where an earlier one is empty). */
export function columnsOf(spec: Pick<FormatSpec, 'aliases'>, names: string[], field: Field): number[] {
  const keys = names.map(normHeader);
  const out: number[] = [];
  for (const a of spec.aliases[field] ?? []) {
    const i = keys.indexOf(normHeader(a));
    if (i >= 0 && !out.includes(i)) out.push(i);
  }
  return out;
}

export function resolveColumns(spec: Pick<FormatSpec, 'aliases'>, names: string[]): Record<Field, number> {
  const idx = new Map<string, number>();
  names.forEach((n, i) => {
    const k = normHeader(n);
    if (!idx.has(k)) idx.set(k, i);
  });
  const out = {} as Record<Field, number>;
  for (const f of FIELDS) {
    out[f] = -1;
    for (const a of spec.aliases[f] ?? []) {
      const i = idx.get(normHeader(a));
      if (i !== undefined) {
        out[f] = i;
        break;
      }
    }
  }
  return out;
}
