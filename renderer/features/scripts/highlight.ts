// A small line tokenizer for the script preview: comments, strings, variables, keywords, labels. Output is rendered as React spans.
export type TokenKind = 'comment' | 'string' | 'var' | 'keyword' | 'label' | 'text';
export interface Tok {
  kind: TokenKind;
  text: string;
}

const KEYWORDS =
  /^(for|in|do|if|else|set|call|goto|exit|not|defined|exist|errorlevel|setlocal|endlocal|foreach|function|return|throw|continue|break|then|fi|done|case|esac|local|shift|del|echo|type)$/i;
const TOKEN =
  /('(?:[^'\u2018\u2019\u201A\u201B]|['\u2018\u2019\u201A\u201B]{2})*'|"[^"]*")|(%%?~?[A-Za-z_]\w*%?|\$\{?[A-Za-z_]\w*\}?|![A-Za-z_]\w*!)|([A-Za-z][\w-]*)/g;

export function highlightLine(line: string, shell: string): Tok[] {
  const trimmed = line.trimStart();
  if (shell === 'cmd' && /^rem(\s|$)/i.test(trimmed)) return [{ kind: 'comment', text: line }];
  if ((shell === 'bash' || shell === 'powershell') && trimmed.startsWith('#')) return [{ kind: 'comment', text: line }];
  if (shell === 'cmd' && /^:[A-Za-z_]/.test(trimmed)) return [{ kind: 'label', text: line }];
  if (shell === 'runsheet') return [{ kind: 'text', text: line }];
  const out: Tok[] = [];
  let last = 0;
  for (const m of line.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ kind: 'text', text: line.slice(last, at) });
    if (m[1]) out.push({ kind: 'string', text: m[0] });
    else if (m[2]) out.push({ kind: 'var', text: m[0] });
    else out.push({ kind: KEYWORDS.test(m[0]) ? 'keyword' : 'text', text: m[0] });
    last = at + m[0].length;
  }
  if (last < line.length) out.push({ kind: 'text', text: line.slice(last) });
  return out;
}
