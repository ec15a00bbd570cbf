// Typed step parts on screen: prose as text; commands, paths and keys as large monospace tokens that never wrap, each with a copy button.
import { useState } from 'react';
import type { FieldStep, StepPart } from '../../../core/field/steps.js';
import './technician.css';

/** Copies to the clipboard and says so for two seconds (the clipboard can be refused: then it says that). */
export function CopyButton(props: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      className="tech-copy"
      aria-label={props.label}
      title={props.label}
      onClick={() => {
        navigator.clipboard.writeText(props.text).then(
          () => setState('copied'),
          () => setState('failed'),
        );
        setTimeout(() => setState('idle'), 2000);
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Not copied' : 'Copy'}
    </button>
  );
}

/**
 * A recovery key in its eight groups of six, with visible separators. One unbreakable token: the dash between
 * groups is real text (a selection copies the key as typed), spaced and coloured so no group runs into the next.
 */
export function KeyToken(props: { value: string; testId?: string }) {
  const groups = props.value.split('-');
  return (
    <code className="tech-token tech-keyval" data-token="key" data-testid={props.testId} aria-label="Recovery key">
      {groups.map((g, i) => (
        <span key={i}>
          {i > 0 && <span className="tech-key-sep">-</span>}
          <span className="tech-key-group">{g}</span>
        </span>
      ))}
    </code>
  );
}

function Part(props: { part: StepPart; keys: Map<string, string> }) {
  const { part } = props;
  switch (part.kind) {
    case 'prose':
      return <span className="tech-prose">{part.text}</span>;
    case 'path':
      return (
        <span className="tech-line">
          <code className="tech-token tech-path" data-token="path">
            {part.text}
          </code>
          <CopyButton text={part.text} label={`Copy the path ${part.text}`} />
        </span>
      );
    case 'key': {
      const key = props.keys.get(part.keyId);
      return key ? (
        <span className="tech-line">
          <KeyToken value={key} />
          <CopyButton text={key} label="Copy the recovery key" />
        </span>
      ) : (
        <span className="tech-prose muted">(reveal the key on the right first)</span>
      );
    }
    case 'command': {
      const key = part.keyId ? props.keys.get(part.keyId) : undefined;
      const full = key ? `${part.text} ${key}` : part.text;
      return (
        <span className="tech-line">
          <code className="tech-token tech-cmd" data-token="command">
            {part.text}
          </code>
          {part.keyId && (
            <span className="tech-prose">
              {key ? 'then a space and the key:' : 'then a space and the recovery key (reveal it first).'}
            </span>
          )}
          {part.keyId && key && <KeyToken value={key} />}
          <CopyButton text={full} label={`Copy the command ${part.text}${key ? ' with the key' : ''}`} />
        </span>
      );
    }
  }
}

/** The steps of one procedure; `keys` holds the revealed recovery keys by key ID (usually none or one). */
export function StepList(props: { steps: FieldStep[]; keys: Map<string, string> }) {
  return (
    <ol className="tech-steps" data-testid="tech-steps">
      {props.steps.map((s, i) => (
        <li key={i}>
          {s.parts.map((p, j) => (
            <Part key={j} part={p} keys={props.keys} />
          ))}
        </li>
      ))}
    </ol>
  );
}
