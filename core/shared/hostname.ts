// Hostname identity, one normaliser for every layer: ingest keys devices by it, analysis and remediation look them up.

/** NetBIOS keeps 15 characters of a computer name; every tool that shows the machine agrees on those 15. */
export const NETBIOS_MAX = 15;

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Short display name: the host part of an FQDN, the CN of an AD distinguished name (an escaped `\,` stays in the
 * name), without a DOMAIN\ prefix or a machine account's trailing `$`; case kept. An IPv4 address stays whole.
 */
export function shortName(raw: string): string {
  let s = raw.trim();
  if (/^cn=/i.test(s)) {
    let end = 3;
    while (end < s.length && !(s[end] === ',' && s[end - 1] !== '\\')) end++;
    s = s.slice(3, end).replace(/\\(.)/g, '$1');
  }
  const bs = s.lastIndexOf('\\');
  if (bs >= 0) s = s.slice(bs + 1);
  if (!IPV4.test(s)) {
    const dot = s.indexOf('.');
    if (dot > 0) s = s.slice(0, dot);
  }
  if (s.endsWith('$')) s = s.slice(0, -1);
  return s;
}

/** The identity key of a hostname: its short name, upper case, cut to the 15 characters NetBIOS keeps. */
export function hostKey(raw: string): string {
  return shortNameKey(shortName(raw));
}

/** hostKey of a name already made short by shortName (for a caller that keeps both). */
export function shortNameKey(short: string): string {
  const s = short.toUpperCase();
  return s.length > NETBIOS_MAX ? s.slice(0, NETBIOS_MAX) : s;
}
