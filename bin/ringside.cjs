#!/usr/bin/env node
// `ringside` launcher: runs the bundled CLI, building it first on a fresh checkout or after the sources changed.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { isStale } = require('./stale.cjs');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'cli', 'ringside.cjs');
// A bundle left from an older checkout would run that checkout's code (and its schema) on today's workspaces.
if (isStale(root, bundle))
  execFileSync(process.execPath, [path.join(root, 'electron', 'build.mjs')], { stdio: 'inherit', cwd: root });
require(bundle);
