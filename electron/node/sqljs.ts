// Loads sql.js's WebAssembly build in plain Node, for the CLI and the unit tests.
import { createRequire } from 'node:module';
import initSqlJs, { type SqlJsStatic } from 'sql.js';

let cached: Promise<SqlJsStatic> | undefined;

export function loadSqlJs(): Promise<SqlJsStatic> {
  const require = createRequire(import.meta.url);
  cached ??= initSqlJs({ locateFile: (f: string) => require.resolve(`sql.js/dist/${f}`) });
  return cached;
}
