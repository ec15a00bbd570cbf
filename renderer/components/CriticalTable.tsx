// The critical devices still down (hostname, category, ring, site, state), as the Overview and the report list them.
import { STATE_LABEL } from '../../core/analysis/rules.js';
import type { CriticalRow } from '../../core/analysis/devices.js';

export function CriticalTable(props: { rows: readonly CriticalRow[]; labelledBy?: string; testId?: string }) {
  return (
    <table className="compact" aria-labelledby={props.labelledBy} data-testid={props.testId}>
      <thead>
        <tr>
          <th scope="col">Hostname</th>
          <th scope="col">Category</th>
          <th scope="col">Ring</th>
          <th scope="col">Site</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.id}>
            <td>{r.hostname}</td>
            <td>{r.category}</td>
            <td>{r.ring}</td>
            <td>{r.site}</td>
            <td>
              <span className={`state-dot st-${r.state}`} aria-hidden="true" /> {STATE_LABEL[r.state]}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
