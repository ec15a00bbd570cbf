// Editor for a gate policy: rings (size, bake, vendor delay), health gates and the halt action, as plain form fields.
import type { Gate, Policy, PolicyRing } from '../../../core/replay/policy.js';

const num = (v: string, fallback: number) => (v.trim() === '' || Number.isNaN(Number(v)) ? fallback : Number(v));

export function PolicyEditor(props: { policy: Policy; onChange: (p: Policy) => void; idPrefix: string }) {
  const { policy: p, onChange, idPrefix } = props;
  const setRing = (i: number, patch: Partial<PolicyRing>) =>
    onChange({ ...p, rings: p.rings.map((r, k) => (k === i ? { ...r, ...patch } : r)) });
  const setGate = (i: number, patch: Partial<Gate>) =>
    onChange({ ...p, gates: p.gates.map((g, k) => (k === i ? { ...g, ...patch } : g)) });

  return (
    <div className="replay-editor" data-testid={`${idPrefix}-editor`}>
      <label>
        Name{' '}
        <input value={p.name} onChange={(e) => onChange({ ...p, name: e.target.value })} aria-label="Policy name" />
      </label>
      <table className="num-table replay-rings">
        <caption>Rings, in order</caption>
        <thead>
          <tr>
            <th scope="col">Ring</th>
            <th scope="col">Size</th>
            <th scope="col">Value</th>
            <th scope="col">Bake (h)</th>
            <th scope="col">Delay</th>
            <th scope="col" aria-label="Remove" />
          </tr>
        </thead>
        <tbody>
          {p.rings.map((r, i) => (
            <tr key={i}>
              <td>
                <input
                  value={r.name}
                  aria-label={`Ring ${i + 1} name`}
                  onChange={(e) => setRing(i, { name: e.target.value })}
                />
              </td>
              <td>
                <select
                  aria-label={`Ring ${r.name} size`}
                  value={r.size.kind}
                  onChange={(e) => {
                    const kind = e.target.value;
                    setRing(i, {
                      size:
                        kind === 'share'
                          ? { kind: 'share', percent: 1 }
                          : kind === 'count'
                            ? { kind: 'count', devices: 100 }
                            : { kind: 'asImported' },
                    });
                  }}
                >
                  <option value="asImported">as imported</option>
                  <option value="share">% of fleet</option>
                  <option value="count">device count</option>
                </select>
              </td>
              <td>
                {r.size.kind !== 'asImported' && (
                  <input
                    type="number"
                    min={0}
                    step="any"
                    aria-label={`Ring ${r.name} size value`}
                    value={r.size.kind === 'share' ? r.size.percent : r.size.devices}
                    onChange={(e) =>
                      setRing(i, {
                        size:
                          r.size.kind === 'share'
                            ? { kind: 'share', percent: num(e.target.value, 1) }
                            : { kind: 'count', devices: Math.round(num(e.target.value, 1)) },
                      })
                    }
                  />
                )}
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  step="any"
                  aria-label={`Ring ${r.name} bake hours`}
                  value={r.bakeHours}
                  onChange={(e) => setRing(i, { bakeHours: num(e.target.value, 0) })}
                />
              </td>
              <td>
                <select
                  aria-label={`Ring ${r.name} delay`}
                  value={r.delay.source === 'falcon' ? `falcon-${r.delay.assignment}` : r.delay.source}
                  onChange={(e) => {
                    const v = e.target.value;
                    setRing(i, {
                      delay:
                        v === 'none'
                          ? { source: 'none' }
                          : v === 'autopatch'
                            ? { source: 'autopatch', deferralDays: 1 }
                            : {
                                source: 'falcon',
                                assignment: v.slice(7) as 'ea' | 'ga' | 'pause',
                                delayHours: v === 'falcon-ga' ? 4 : 0,
                              },
                    });
                  }}
                >
                  <option value="none">none</option>
                  <option value="falcon-ea">Falcon EA</option>
                  <option value="falcon-ga">Falcon GA + delay</option>
                  <option value="falcon-pause">Falcon pause</option>
                  <option value="autopatch">Autopatch deferral</option>
                </select>
                {r.delay.source === 'falcon' && r.delay.assignment === 'ga' && (
                  <select
                    aria-label={`Ring ${r.name} Falcon delay hours`}
                    value={r.delay.delayHours}
                    onChange={(e) =>
                      setRing(i, { delay: { source: 'falcon', assignment: 'ga', delayHours: Number(e.target.value) } })
                    }
                  >
                    {[0, 1, 2, 4, 8, 12, 24, 48, 72].map((h) => (
                      <option key={h} value={h}>
                        {h} h
                      </option>
                    ))}
                  </select>
                )}
                {r.delay.source === 'autopatch' && (
                  <input
                    type="number"
                    min={0}
                    max={30}
                    aria-label={`Ring ${r.name} deferral days`}
                    value={r.delay.deferralDays}
                    onChange={(e) =>
                      setRing(i, { delay: { source: 'autopatch', deferralDays: Math.round(num(e.target.value, 0)) } })
                    }
                  />
                )}
              </td>
              <td>
                <button
                  type="button"
                  disabled={p.rings.length < 2}
                  onClick={() => onChange({ ...p, rings: p.rings.filter((_, k) => k !== i) })}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        onClick={() =>
          onChange({
            ...p,
            rings: [
              ...p.rings,
              {
                name: `Ring ${p.rings.length + 1}`,
                size: { kind: 'asImported' },
                bakeHours: 4,
                delay: { source: 'none' },
              },
            ],
          })
        }
      >
        Add ring
      </button>
      <table className="num-table replay-gates">
        <caption>Health gates (crash and failure trip at or above the threshold; success trips below it)</caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Threshold %</th>
            <th scope="col">Min sample</th>
            <th scope="col">Window (h)</th>
            <th scope="col">Evaluated</th>
            <th scope="col" aria-label="Remove" />
          </tr>
        </thead>
        <tbody>
          {p.gates.map((g, i) => (
            <tr key={i}>
              <td>
                <select
                  aria-label={`Gate ${i + 1} metric`}
                  value={g.metric}
                  onChange={(e) => setGate(i, { metric: e.target.value as Gate['metric'] })}
                >
                  <option value="crash">crash rate</option>
                  <option value="failure">failure rate</option>
                  <option value="success">success rate</option>
                </select>
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  max={100}
                  step="any"
                  aria-label={`Gate ${i + 1} threshold percent`}
                  value={g.thresholdPercent}
                  onChange={(e) => setGate(i, { thresholdPercent: num(e.target.value, 0) })}
                />
              </td>
              <td>
                <input
                  type="number"
                  min={1}
                  aria-label={`Gate ${i + 1} minimum sample`}
                  value={g.minSample}
                  onChange={(e) => setGate(i, { minSample: Math.max(1, Math.round(num(e.target.value, 1))) })}
                />
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  step="any"
                  placeholder="since start"
                  aria-label={`Gate ${i + 1} window hours`}
                  value={g.windowHours ?? ''}
                  onChange={(e) =>
                    setGate(i, {
                      windowHours:
                        e.target.value.trim() === '' || Number(e.target.value) <= 0 ? null : Number(e.target.value),
                    })
                  }
                />
              </td>
              <td>
                <select
                  aria-label={`Gate ${i + 1} evaluated`}
                  value={g.at}
                  onChange={(e) => setGate(i, { at: e.target.value as Gate['at'] })}
                >
                  <option value="continuous">after every event</option>
                  <option value="bakeEnd">at each bake end</option>
                </select>
              </td>
              <td>
                <button type="button" onClick={() => onChange({ ...p, gates: p.gates.filter((_, k) => k !== i) })}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="toolbar">
        <button
          type="button"
          onClick={() =>
            onChange({
              ...p,
              gates: [
                ...p.gates,
                { metric: 'crash', thresholdPercent: 2, minSample: 10, windowHours: null, at: 'continuous' },
              ],
            })
          }
        >
          Add gate
        </button>
        <label>
          When a gate trips{' '}
          <select
            aria-label="Action"
            value={p.action.kind}
            onChange={(e) => onChange({ ...p, action: { ...p.action, kind: e.target.value as 'pause' | 'rollback' } })}
          >
            <option value="pause">pause</option>
            <option value="rollback">roll back</option>
          </select>
        </label>
        <label>
          taking effect after{' '}
          <input
            type="number"
            min={0}
            aria-label="Action latency minutes"
            value={p.action.latencyMinutes}
            onChange={(e) => onChange({ ...p, action: { ...p.action, latencyMinutes: num(e.target.value, 0) } })}
          />{' '}
          min
        </label>
      </div>
    </div>
  );
}
