// Picks a file's writer from its header: a recognised export's own, or the one its column mapping (given or saved) says.
import { FileError } from '../errors.js';
import { detectFormat, type FormatSpec } from '../formats.js';
import { genericSpec, mappingProblem, saveMapping, savedMapping, type ColumnMapping } from '../mapping.js';
import type { Workspace } from '../../workspace.js';
import { fleetWriter } from './fleet.js';
import { keysWriter } from './keys.js';
import { rolloutWriter } from './rollout.js';
import type { Writer, WriterContext } from './types.js';

/**
 * The format a header is read as, or null when nothing recognises it and no mapping is saved for it. A mapping given
 * by hand wins over recognition: any file can be mapped, recognised or not.
 */
export function chooseSpec(
  ws: Workspace,
  names: string[],
  line: number,
  mapping: ColumnMapping | undefined,
  notes: string[],
): FormatSpec | null {
  const spec = mapping ? null : detectFormat(names);
  if (spec) return spec;
  const m = mapping ?? savedMapping(ws, names);
  if (!m) return null;
  const problem = mappingProblem(m, names);
  if (problem) throw new FileError(`the column mapping does not fit this file: ${problem}`, '(header)', line);
  if (mapping && mapping.save !== false) saveMapping(ws, names, mapping);
  notes.push(
    mapping ? 'imported with the column mapping you chose' : 'imported with the column mapping saved for this header',
  );
  return genericSpec(m);
}

export function openWriter(spec: FormatSpec, ctx: WriterContext): Writer {
  return spec.kind === 'fleet' ? fleetWriter(ctx) : spec.kind === 'keys' ? keysWriter(ctx) : rolloutWriter(ctx);
}
