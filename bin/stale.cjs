// Whether the CLI bundle is older than the code it was built from (a checkout moved on since the last build).
const { readdirSync, statSync } = require('node:fs');
const path = require('node:path');

/** What the bundle is built from: the core and Node sources, the dependency pins and the patches applied to them. */
const SOURCES = ['core', 'electron', 'patches', 'package.json', 'package-lock.json'];

function newest(p) {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const e of readdirSync(p)) max = Math.max(max, newest(path.join(p, e)));
  return max;
}

/** True when the bundle is missing or any source under root changed after it was written. */
function isStale(root, bundle) {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return true;
  }
  return SOURCES.some((s) => newest(path.join(root, s)) > built);
}

module.exports = { isStale, SOURCES };
