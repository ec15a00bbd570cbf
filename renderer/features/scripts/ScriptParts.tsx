// The scripts view's code blocks: a generated file with shell highlighting, and a line diff against an earlier one.
import { useMemo } from 'react';
import type { DiffLine } from '../../../core/remediation/history.js';
import { highlightLine } from './highlight.js';

export function Code(props: { text: string; shell: string; testId: string }) {
  const lines = useMemo(() => props.text.replace(/\r\n/g, '\n').split('\n'), [props.text]);
  return (
    <pre className="code script-code" data-testid={props.testId}>
      {lines.map((line, i) => (
        <div key={i} className="script-line">
          {highlightLine(line, props.shell).map((t, j) =>
            t.kind === 'text' ? (
              t.text
            ) : (
              <span key={j} className={`tok-${t.kind}`}>
                {t.text}
              </span>
            ),
          )}
        </div>
      ))}
    </pre>
  );
}

export function Diff(props: { lines: DiffLine[] }) {
  return (
    <pre className="code script-code" data-testid="diff">
      {props.lines.map((l, i) => (
        <div key={i} className={`diff-${l.kind}`}>
          {l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : '  '}
          {l.text}
        </div>
      ))}
    </pre>
  );
}
