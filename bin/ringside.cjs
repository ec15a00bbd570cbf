#!/usr/bin/env node
// `ringside` launcher: runs the bundled CLI, building it first on a fresh checkout.
const { existsSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'cli', 'ringside.cjs');
if (!existsSync(bundle))
  execFileSync(process.execPath, [path.join(root, 'electron', 'build.mjs')], { stdio: 'inherit', cwd: root });
require(bundle);
