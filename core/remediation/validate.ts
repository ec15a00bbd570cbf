// First safety layer: strict grammars for every value that may enter a generated script; a failure is a named, human reason.

export type Check = { ok: true; value: string } | { ok: false; code: string; reason: string };

const ok = (value: string): Check => ({ ok: true, value });
const no = (code: string, reason: string): Check => ({ ok: false, code, reason });

/** Shows a character the way a technician can read it, including invisible ones. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp < 0x20 || cp === 0x7f) {
    const names: Record<number, string> = { 0: 'NUL', 9: 'tab', 10: 'line feed', 13: 'carriage return' };
    return `${names[cp] ?? 'control character'} (${hex})`;
  }
  if (cp > 0x7e) return `'${ch}' (${hex})`;
  return `'${ch}'`;
}

/** First character outside `allowed`, with its 1-based position, or undefined. */
export function firstBadChar(value: string, allowed: RegExp): { ch: string; at: number } | undefined {
  let at = 0;
  for (const ch of value) {
    at++;
    if (!allowed.test(ch)) return { ch, at };
  }
  return undefined;
}

function charset(field: string, value: string, allowed: RegExp, what: string, extra = ''): Check | undefined {
  const bad = firstBadChar(value, allowed);
  if (!bad) return undefined;
  return no(
    'bad-char',
    `${field} contains ${describeChar(bad.ch)} at position ${bad.at}; only ${what} are allowed${extra}`,
  );
}

function lengthCheck(field: string, value: string, min: number, max: number): Check | undefined {
  if (value.length === 0) return no('empty', `${field} is empty`);
  if (value.length < min) return no('too-short', `${field} is shorter than ${min} characters`);
  if (value.length > max)
    return no('too-long', `${field} is ${value.length} characters long; at most ${max} are allowed`);
  return undefined;
}

/**
 * A computer name that may appear in a script: NetBIOS (at most 15) and RFC 1123 label rules.
 * Windows itself accepts names such as `PC&01` or `LAB%2`; those are refused, with the character shown, never "fixed".
 */
export function hostname(value: string): Check {
  const field = 'hostname';
  const len = lengthCheck(field, value, 1, 15);
  if (len && len.ok === false && len.code === 'too-long')
    return no('too-long', `hostname is ${value.length} characters long; a NetBIOS computer name has at most 15`);
  if (len) return len;
  const bad = firstBadChar(value, /[A-Za-z0-9-]/);
  if (bad) {
    const batch =
      bad.ch === '&' || bad.ch === '%' || bad.ch === '!' || bad.ch === '^'
        ? ` (Windows allows ${describeChar(bad.ch)} in a computer name, but it is a command character for cmd.exe/batch, so no script is generated for this device)`
        : '';
    return no(
      'bad-char',
      `hostname contains ${describeChar(bad.ch)} at position ${bad.at}; only letters, digits and '-' are allowed${batch}`,
    );
  }
  if (value.startsWith('-')) return no('leading-hyphen', "hostname starts with '-' (RFC 1123 forbids it)");
  if (value.endsWith('-')) return no('trailing-hyphen', "hostname ends with '-' (RFC 1123 forbids it)");
  if (/^[0-9]+$/.test(value))
    return no('all-digits', 'hostname is all digits (Windows refuses numeric computer names)');
  return ok(value);
}

/** Key protector id or any GUID, with or without braces; normalised to upper case without braces. */
export function guid(value: string, field = 'GUID'): Check {
  const len = lengthCheck(field, value, 36, 38);
  if (len) return len;
  const m = /^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?$/.exec(value);
  if (!m || value.startsWith('{') !== value.endsWith('}'))
    return no('format', `${field} is not a GUID like {0A1B2C3D-4E5F-6789-ABCD-EF0123456789}`);
  return ok(m[1]!.toUpperCase());
}

/** BitLocker 48-digit recovery password: 8 groups of 6 digits, each divisible by 11 and below 720896. */
export function recoveryPassword(value: string): Check {
  const field = 'recovery password';
  if (value.length === 0) return no('empty', `${field} is empty`);
  if (value.length > 55)
    return no('too-long', `${field} is ${value.length} characters; it has 55 (48 digits and 7 dashes)`);
  const bad = charset(field, value, /[0-9-]/, 'digits and dashes');
  if (bad) return bad;
  const groups = value.split('-');
  if (groups.length !== 8 || groups.some((g) => g.length !== 6))
    return no('format', `${field} must be 8 groups of 6 digits separated by '-'`);
  for (let i = 0; i < 8; i++) {
    const n = Number(groups[i]);
    if (n % 11 !== 0)
      return no('checksum', `${field} group ${i + 1} is not divisible by 11 (mistyped or corrupted key)`);
    if (n >= 720896) return no('checksum', `${field} group ${i + 1} is not below 720896 (mistyped or corrupted key)`);
  }
  return ok(value);
}

/** A KB number, with or without the `KB` prefix; normalised to digits only (what wusa /kb: wants). */
export function kbNumber(value: string): Check {
  const len = lengthCheck('KB number', value, 1, 10);
  if (len) return len;
  const m = /^(?:KB)?([0-9]{6,8})$/i.exec(value);
  if (!m) return no('format', 'KB number must be 6 to 8 digits, optionally prefixed with KB (e.g. KB5040442)');
  return ok(m[1]!);
}

/** A Linux package name (Debian policy and RPM names): no leading '-', so it can never become an option. */
export function packageName(value: string): Check {
  const field = 'package name';
  const len = lengthCheck(field, value, 1, 128);
  if (len) return len;
  if (value.startsWith('-')) return no('leading-hyphen', `${field} starts with '-' and could be read as an option`);
  const bad = charset(field, value, /[A-Za-z0-9._+-]/, "letters, digits and '.', '_', '+', '-'");
  if (bad) return bad;
  if (!/^[A-Za-z0-9]/.test(value)) return no('format', `${field} must start with a letter or digit`);
  return ok(value);
}

/** A Debian/RPM version string: optional epoch, starts with a digit. */
export function packageVersion(value: string): Check {
  const field = 'package version';
  const len = lengthCheck(field, value, 1, 128);
  if (len) return len;
  const bad = charset(field, value, /[A-Za-z0-9.+~:_-]/, "letters, digits and '.', '+', '~', ':', '_', '-'");
  if (bad) return bad;
  if (!/^(?:[0-9]+:)?[0-9][A-Za-z0-9.+~_-]*$/.test(value))
    return no('format', `${field} must start with a digit (an optional epoch like '1:' first)`);
  return ok(value);
}

/** A dnf transaction id from `dnf history list`. */
export function transactionId(value: string): Check {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) return no('format', 'dnf transaction id must be a positive whole number');
  return ok(value);
}

/** A winget package identifier such as `Microsoft.PowerShell` or `7zip.7zip`. */
export function wingetId(value: string): Check {
  const field = 'winget id';
  const len = lengthCheck(field, value, 3, 128);
  if (len) return len;
  const bad = charset(field, value, /[A-Za-z0-9._+-]/, "letters, digits and '.', '_', '+', '-'");
  if (bad) return bad;
  if (!/^[A-Za-z0-9][A-Za-z0-9_+-]*(?:\.[A-Za-z0-9_+-]+)+$/.test(value))
    return no('format', `${field} must look like Publisher.Package`);
  return ok(value);
}

/** A drive letter; normalised to `X:`. */
export function driveLetter(value: string): Check {
  if (!/^[A-Za-z]:?$/.test(value)) return no('format', "drive letter must be one letter, optionally followed by ':'");
  return ok(`${value[0]!.toUpperCase()}:`);
}

/** An Azure resource group name (ASCII subset of Azure's rules). */
export function azureResourceGroup(value: string): Check {
  const field = 'resource group';
  const len = lengthCheck(field, value, 1, 90);
  if (len) return len;
  const bad = charset(field, value, /[A-Za-z0-9_().-]/, "letters, digits and '_', '(', ')', '.', '-'");
  if (bad) return bad;
  if (value.startsWith('-')) return no('leading-hyphen', `${field} starts with '-' and could be read as an option`);
  if (value.endsWith('.')) return no('format', `${field} must not end with '.'`);
  return ok(value);
}

/** An Azure VM name: 1 to 64 characters, starts with a letter or digit, no trailing '.' or '-'. */
export function azureVmName(value: string): Check {
  const field = 'VM name';
  const len = lengthCheck(field, value, 1, 64);
  if (len) return len;
  const bad = charset(field, value, /[A-Za-z0-9._-]/, "letters, digits and '.', '_', '-'");
  if (bad) return bad;
  if (!/^[A-Za-z0-9]/.test(value)) return no('format', `${field} must start with a letter or digit`);
  if (/[.-]$/.test(value)) return no('format', `${field} must not end with '.' or '-'`);
  return ok(value);
}

export function awsInstanceId(value: string): Check {
  if (!/^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(value))
    return no('format', 'AWS instance id must be i- followed by 8 or 17 lower-case hex digits');
  return ok(value);
}

export function awsVolumeId(value: string): Check {
  if (!/^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(value))
    return no('format', 'AWS volume id must be vol- followed by 8 or 17 lower-case hex digits');
  return ok(value);
}

/** An AWS region such as eu-west-1. */
export function awsRegion(value: string): Check {
  if (!/^[a-z]{2}(?:-gov)?-[a-z]+-[0-9]$/.test(value)) return no('format', 'AWS region must look like eu-west-1');
  return ok(value);
}

/** A Windows servicing package name as DISM lists it (Package_for_RollupFix~31bf3856ad364e35~amd64~~22621.3880.1.6). */
export function dismPackageName(value: string): Check {
  const field = 'DISM package name';
  const len = lengthCheck(field, value, 1, 200);
  if (len) return len;
  const bad = charset(field, value, /[A-Za-z0-9._~-]/, "letters, digits and '.', '_', '~', '-'");
  if (bad) return bad;
  if (!/^Package_for_[A-Za-z0-9_.-]+~[0-9a-f]{16}~[A-Za-z0-9]+~[A-Za-z0-9-]*~[0-9.]+$/.test(value))
    return no('format', `${field} must look like Package_for_RollupFix~31bf3856ad364e35~amd64~~22621.3880.1.6`);
  return ok(value);
}

/** A CrowdStrike policy id: 32 lower-case hex digits. */
export function falconId(value: string): Check {
  if (!/^[0-9a-f]{32}$/.test(value)) return no('format', 'Falcon id must be 32 lower-case hex digits');
  return ok(value);
}

/** A user name for a repair VM or a local admin: a conservative subset of Windows account names. */
export function userName(value: string): Check {
  const field = 'user name';
  const len = lengthCheck(field, value, 1, 20);
  if (len) return len;
  const bad = charset(field, value, /[A-Za-z0-9._-]/, "letters, digits and '.', '_', '-'");
  if (bad) return bad;
  if (!/^[A-Za-z]/.test(value)) return no('format', `${field} must start with a letter`);
  return ok(value);
}

/** A Falcon content version pin or sensor build (digits and dots). */
export function buildNumber(value: string): Check {
  if (!/^[0-9]{1,10}(?:\.[0-9]{1,10}){0,3}$/.test(value))
    return no('format', 'build must be digits and dots, e.g. 18605');
  return ok(value);
}

/** Every grammar by the name a playbook uses for a parameter type. */
export const VALIDATORS = {
  hostname,
  guid: (v: string) => guid(v),
  recoveryPassword,
  kb: kbNumber,
  package: packageName,
  version: packageVersion,
  transactionId,
  wingetId,
  driveLetter,
  azureResourceGroup,
  azureVmName,
  awsInstanceId,
  awsVolumeId,
  awsRegion,
  dismPackage: dismPackageName,
  falconId,
  userName,
  build: buildNumber,
} as const;

export type ValueType = keyof typeof VALIDATORS;
export const VALUE_TYPES = Object.keys(VALIDATORS) as ValueType[];

export function validate(type: ValueType, value: string): Check {
  return VALIDATORS[type](value);
}
