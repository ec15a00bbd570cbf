// What every row writer is given (the file's columns, the device index, where problems go) and what it gives back.
import type { SourceFormat } from '../../contract/ingest.js';
import type { Workspace } from '../../workspace.js';
import type { AsOf } from '../as-of.js';
import type { Field } from '../formats.js';
import type { FleetNormSpec } from '../fleet-norm.js';
import type { KeyNormSpec } from '../key-norm.js';
import type { DeviceIndex } from '../identity.js';

export interface Problems {
  /** The row is not imported. */
  reject(line: number, field: string, message: string): void;
  /** The row is imported, with a note about one value. */
  flag(line: number, field: string, message: string): void;
}

export interface WriterContext {
  ws: Workspace;
  importId: number;
  format: SourceFormat;
  /** The file's header row, as stored with its raw rows. */
  fileHeader: string[];
  /**
   * The names of the cells a row handed to the writer has, and where each field's cell is in it: the file's header
   * and columns, or fewer when a reading thread hands over only the columns read (ReadPlan.compact).
   */
  header: string[];
  cols: Record<Field, number>;
  /** Every timestamp column present (in the rows' layout), in preference order (Autopatch: installed time, else last check-in). */
  tsCols: number[];
  idx: DeviceIndex;
  /** The devices this file's rows wrote to or attached events to: what an incremental analysis redoes. */
  touched?: Set<number>;
  problems: Problems;
  /** The export's "as of" time, for rows without a time of their own (status reports with default columns). */
  asOf?: AsOf | null;
  /** Told once, after the last batch, how many rows took the "as of" time. */
  onAsOf?: (asOf: AsOf, rows: number) => void;
}

export interface Writer {
  /** Writes one batch; returns how many rows were imported. */
  write(rows: string[][], lines: number[], count: number): number | Promise<number>;
  /** Stores what the writer still holds (compressed raw rows); awaited before the import's savepoint ends. */
  finish?(): Promise<void>;
  duplicates: number;
  /** The writer keeps each row's every cell in raw_chunks (a reading thread can encode them: see ReadPlan). */
  rawRows?: boolean;
  /** A fleet writer's normalisation, for a reading thread to run on each batch instead (see ReadPlan.fleet). */
  fleet?: FleetNormSpec;
  /** A keys writer's normalisation, likewise (ReadPlan.keys). */
  keys?: KeyNormSpec;
  /** The export's "as of" time: the latest time a row carried (or the file's as-of time), for freshness. */
  asOf?: number | null;
  /** A rollout writer's events: how many it inserted, and of them how many are an update ring's (RING_SOURCES). */
  events?: { rows: number; rings: number };
  free(): void;
}

export const colName = (ctx: WriterContext, f: Field, fallback: string) =>
  ctx.cols[f] >= 0 ? ctx.header[ctx.cols[f]]! : fallback;
