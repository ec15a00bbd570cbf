// Technician mode lives at #/technician: it runs without a workspace, from a field pack alone.
export const TECHNICIAN_HASH = '#/technician';

export function isTechnicianHash(hash: string): boolean {
  return hash.startsWith(TECHNICIAN_HASH);
}
