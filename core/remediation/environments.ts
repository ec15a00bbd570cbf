// Where a cmd route runs (WinRE/WinPE, Safe Mode, full Windows) and which commands exist there: the generator states it, tests check it.

export const ENVIRONMENTS = ['winre', 'safe-mode', 'windows'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const ENVIRONMENT_TEXT: Record<Environment, string> = {
  winre:
    'WinRE / WinPE command prompt (X: is a RAM disk: nothing written there survives the reboot; restart with wpeutil reboot)',
  'safe-mode': 'Safe Mode, elevated command prompt, logged in as a local administrator',
  windows: 'full Windows, elevated command prompt',
};

/** cmd.exe built-ins: present wherever cmd.exe is. */
const BUILTINS = [
  'call',
  'del',
  'dir',
  'echo',
  'endlocal',
  'exit',
  'for',
  'goto',
  'if',
  'rem',
  'set',
  'setlocal',
  'type',
];

/**
 * External programs each environment is known to carry. WinRE and WinPE have manage-bde, bcdedit and wpeutil,
 * but no shutdown.exe; wpeutil exists only there. wusa needs the servicing stack of a running Windows.
 */
export const ENVIRONMENT_COMMANDS: Record<Environment, readonly string[]> = {
  winre: [...BUILTINS, 'manage-bde', 'bcdedit', 'wpeutil'],
  'safe-mode': [...BUILTINS, 'manage-bde', 'bcdedit', 'shutdown'],
  windows: [...BUILTINS, 'manage-bde', 'bcdedit', 'shutdown', 'wusa'],
};

/** The marker line a cmd script carries before each part that runs in one environment (tests split on it). */
export function environmentMarker(env: Environment): string {
  return `rem ==== Runs in: ${ENVIRONMENT_TEXT[env]}`;
}

/**
 * The command words a batch script calls: the first word of each statement, after redirections, `if` tests,
 * `for ... do` and `call`. Labels, comments and `call :label` (a subroutine) are not commands.
 */
export function batchCommandWords(script: string): string[] {
  const words: string[] = [];
  for (const raw of script.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith(':') || /^rem(\s|$)/i.test(line)) continue;
    if (line.startsWith('@')) line = line.slice(1);
    for (const stmt of splitStatements(line)) collect(stmt, words);
  }
  return words;
}

/** Split on & and | outside double quotes (a batch line may chain statements). */
function splitStatements(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') quoted = !quoted;
    if (!quoted && c === '^') {
      cur += c + (line[i + 1] ?? '');
      i++;
      continue;
    }
    // `2>&1` is a redirection, not a second statement.
    if (!quoted && (c === '&' || c === '|') && line[i - 1] !== '>') {
      if (line[i + 1] === c) i++;
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out
    .map((s) =>
      s
        .trim()
        .replace(/^\(+|\)+$/g, '')
        .trim(),
    )
    .filter(Boolean);
}

function collect(stmt: string, words: string[]): void {
  let s = stmt.trim();
  // Leading redirections: >>"%RS_LOG%" echo ..., 2>nul ...
  for (;;) {
    const m = /^\d?>>?\s*("[^"]*"|\S+)\s*/.exec(s);
    if (!m) break;
    s = s.slice(m[0].length);
  }
  if (!s) return;
  const first = /^[^\s(]+/.exec(s)?.[0] ?? '';
  const word = first.toLowerCase().replace(/\.(exe|com)$/, '');
  if (word === 'if') {
    words.push('if');
    const rest = s.slice(first.length).trim();
    const m =
      /^(?:\/i\s+)?(?:not\s+)?(?:(?:exist|defined)\s+("[^"]*"|\S+)|errorlevel\s+\d+|("[^"]*"|\S+)\s*==\s*("[^"]*"|\S+))\s*(.*)$/i.exec(
        rest,
      );
    if (m) collect(m[4]!.replace(/^\(/, ''), words);
    return;
  }
  if (word === 'for') {
    words.push('for');
    const m = /\sdo\s+(.*)$/i.exec(s);
    if (m) collect(m[1]!.replace(/^\(/, ''), words);
    // Commands inside for /f ('...') run too.
    for (const inner of s.matchAll(/\('([^']*)'\)/g)) collect(inner[1]!, words);
    return;
  }
  if (word === 'call') {
    words.push('call');
    const rest = s.slice(first.length).trim();
    if (!rest.startsWith(':')) collect(rest, words);
    return;
  }
  if (word === 'echo.' || word.startsWith('echo')) {
    words.push('echo');
    return;
  }
  words.push(word);
}
