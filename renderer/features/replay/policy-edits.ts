// Telling an edited replay policy from the one it was loaded as, and naming edits and copies.

/** JSON with object keys sorted, so two policies compare equal whatever order the editor built their objects in. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

/** The name a result of an unsaved edit carries; already-marked names are not marked twice. */
export function editedName(name: string): string {
  return name.endsWith(' (edited)') ? name : `${name} (edited)`;
}

/** A policy id for a new name (the schema's lower-case-and-dashes grammar), unique among the ids already taken. */
export function policyIdFor(name: string, taken: readonly string[]): string {
  const slug =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'policy';
  const base = /^[a-z0-9]/.test(slug) ? slug : `p-${slug}`;
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}
