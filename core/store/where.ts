// The SQL conditions a dashboard filter turns into (always bound parameters, never spliced), shared by the repositories.

/** The filter bar: narrows every number and chart of the overview together. */
export interface DashFilter {
  ring?: string | null;
  site?: string | null;
  platform?: string | null;
  tag?: string | null;
}

/** The label of a missing dimension value (no ring, no site…); stored as ''. */
export const NONE = '(none)';

export interface Where {
  sql: string;
  params: (string | number)[];
}

const blank = (v: string | null | undefined) => v === undefined || v === null || v === '';
const dim = (v: string) => (v === NONE ? '' : v);

/** The tag test on a comma-separated lower-case tag list, tolerant of spaces after commas. */
export const TAG_MATCH = (col: string) => `instr(',' || replace(${col}, ', ', ',') || ',', ',' || ? || ',') > 0`;

/** Conditions on a summary table (columns ring, site, platform, tags). */
export function cubeWhere(f: DashFilter | undefined, extra: string[] = []): Where {
  const parts = [...extra];
  const params: (string | number)[] = [];
  const add = (sql: string, v: string) => {
    parts.push(sql);
    params.push(v);
  };
  if (f && !blank(f.ring)) add('ring = ?', dim(f.ring!));
  if (f && !blank(f.site)) add('site = ?', dim(f.site!));
  if (f && !blank(f.platform)) add('platform = ?', dim(f.platform!));
  if (f && !blank(f.tag)) add(TAG_MATCH('tags'), f.tag!.trim().toLowerCase());
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function inList(states: readonly string[]): string {
  return `(${states.map((s) => `'${s.replace(/'/g, "''")}'`).join(',')})`;
}
