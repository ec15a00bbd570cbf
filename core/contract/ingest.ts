// Shared ingest types: what an import takes (a File, or any named byte stream) and what it reports.
export interface ImportInput {
  name: string;
  size: number;
  stream(): ReadableStream<Uint8Array>;
  /** The file's modified time (epoch ms) where the host knows it: the last fallback for an export's "as of" time. */
  lastModified?: number;
}

export const SOURCE_FORMATS = [
  'falcon',
  'intune',
  'entra',
  'ad',
  'configmgr',
  'defender',
  'sentinelone',
  'fleet',
  'tanium',
  'autopatch',
  'wufb',
  'events',
  'bitlocker',
  'rollout',
  'generic',
] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];
export type ImportKind = 'fleet' | 'keys' | 'rollout';

export interface ImportRowError {
  line: number;
  field: string;
  message: string;
}

export interface ImportFileReport {
  file: string;
  format: SourceFormat | 'unknown';
  kind: ImportKind | null;
  rows: number;
  imported: number;
  rejected: number;
  /** True when a file with the same SHA-256 was imported before: nothing was added. */
  duplicate: boolean;
  /** The first rejected rows (capped); the full list is in import_errors. */
  errors: ImportRowError[];
  importId: number | null;
}

/** Wraps text or bytes as an ImportInput, for the sample loader and tests. */
export function inputFromBytes(name: string, data: Uint8Array | string): ImportInput {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return {
    name,
    size: bytes.byteLength,
    stream: () =>
      new ReadableStream<Uint8Array>({
        start(ctrl) {
          // Hand it over in 1 MiB chunks so the streaming path is the one exercised.
          for (let i = 0; i < bytes.byteLength; i += 1 << 20) ctrl.enqueue(bytes.subarray(i, i + (1 << 20)));
          ctrl.close();
        },
      }),
  };
}
