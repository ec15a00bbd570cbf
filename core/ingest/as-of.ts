// The "as of" time of an export without a time column: a date in the file's banner, its name, or its modified time.

export interface AsOf {
  at: number;
  /** Where it was found, in words for the import report ("the file name", "the file's modified time"). */
  from: string;
}

/** `2024-07-19`, `2024-07-19T09:12`, `20240719_0912`, `2024-07-19 09-12-30`: a date (and time, taken as UTC). */
const DATE_IN_TEXT =
  /(20\d{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?:[T _-]?([01]\d|2[0-3])[:.-]?([0-5]\d)(?:[:.-]?([0-5]\d))?)?/;

export function dateInText(text: string): number | null {
  const m = DATE_IN_TEXT.exec(text);
  if (!m) return null;
  const t = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
  return Number.isFinite(t) ? t : null;
}

/** First a date in a banner line above the header, then in the file name, then the file's modified time. */
export function findAsOf(name: string, notes: readonly string[], lastModified?: number): AsOf | null {
  for (const n of notes) {
    if (!/^skipped (banner|preamble) line/.test(n)) continue;
    const t = dateInText(n.slice(n.indexOf(':') + 1));
    if (t !== null) return { at: t, from: 'a date in the file' };
  }
  const t = dateInText(name);
  if (t !== null) return { at: t, from: 'the file name' };
  if (lastModified && Number.isFinite(lastModified) && lastModified > 0)
    return { at: lastModified, from: "the file's modified time" };
  return null;
}

/** A UTC date and time as typed (`2024-07-19T09:12Z`, seconds optional, `Z` or `+00:00` optional), or null. */
export function parseIsoUtc(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:Z|\+00:?00)?$/.exec(text.trim());
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  // Date.UTC rolls 2024-02-31 over into March: a value that does not read back the same is not a real time.
  const back = new Date(t).toISOString();
  return Number.isFinite(t) &&
    back.slice(0, 16) === `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}` &&
    back.slice(17, 19) === (m[6] ?? '00')
    ? t
    : null;
}

/** How the import view and the CLI show an as-of time: `2024-07-19T09:12Z`, which parseIsoUtc reads back. */
export function isoMinute(t: number): string {
  return `${new Date(t).toISOString().slice(0, 16)}Z`;
}
