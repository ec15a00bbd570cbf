// The device's BitLocker recovery keys: key IDs always, a key only after a confirmed (recorded) reveal.
import { useState } from 'react';
import type { TechDevice } from '../../db/technician-verbs.js';
import { CopyButton, KeyToken } from './StepParts.js';

export function KeyPanel(props: {
  device: TechDevice;
  /** The one key shown, fetched from the worker after its reveal was recorded. */
  revealed: { keyId: string; password: string } | null;
  onReveal: (keyId: string) => Promise<void>;
  onHide: () => void;
}) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const { device } = props;
  if (device.keys.length === 0) return <p className="muted">No BitLocker recovery key in the pack for this device.</p>;
  return (
    <div className="tech-keys">
      {device.keys.map((k) => (
        <div key={k.keyId} className="tech-key">
          <div>
            Key ID <code>{k.keyId.toUpperCase()}</code>
            {!k.valid && <span className="error"> (marked invalid at import)</span>}
          </div>
          {props.revealed?.keyId === k.keyId ? (
            <div className="tech-key-shown">
              <KeyToken value={props.revealed.password} testId="revealed-key" />
              <CopyButton text={props.revealed.password} label="Copy the recovery key" />
              <button type="button" onClick={props.onHide}>
                Hide key
              </button>
            </div>
          ) : confirming === k.keyId ? (
            <div className="tech-confirm" role="group" aria-label="Confirm key reveal">
              <span>
                Reveal this key? The reveal is recorded in your results, and the key goes on the rotation list.
              </span>
              <button
                type="button"
                className="danger"
                autoFocus
                data-testid="confirm-reveal"
                onClick={() => void props.onReveal(k.keyId).then(() => setConfirming(null))}
              >
                Reveal key
              </button>
              <button type="button" onClick={() => setConfirming(null)}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" onClick={() => setConfirming(k.keyId)} data-testid="reveal-key">
              Show recovery key…
            </button>
          )}
        </div>
      ))}
    </div>
  );
}
