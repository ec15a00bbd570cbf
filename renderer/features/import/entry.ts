// One dropped file in the import view: the file, and its report or error once imported (shared by the view's parts).
import type { IngestReport } from '../../../core/ingest/index.js';

export interface Entry {
  id: number;
  file: File;
  report: IngestReport | null;
  error: string | null;
}
