// One generated bundle: its files (preview, highlighted), refused values, the comparison with the previous generation, save.
import { useState } from 'react';
import type { Bundle } from '../../../core/remediation/generate.js';
import type { DiffLine } from '../../../core/remediation/history.js';
import { Table } from '../../components/DataTable.js';
import { useWorkspace } from '../../state/workspace.js';
import { Code, Diff } from './ScriptParts.js';

/** Keyed by generation in the parent, so a new bundle starts on its first file with no comparison shown. */
export function BundlePanel(props: { bundle: Bundle }) {
  const { bundle } = props;
  const { db, host } = useWorkspace();
  const [fileIdx, setFileIdx] = useState(0);
  const [diff, setDiff] = useState<Array<{ path: string; previousId: number | null; diff: DiffLine[] }> | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  async function compare() {
    setDiff(await db.compareGeneration(bundle.generationId));
  }

  async function save() {
    const zip = await db.bundleZip(bundle);
    const name = `ringside-${bundle.manifest.what.playbookId}-${bundle.manifest.what.route}-${bundle.generationId}.zip`;
    const where = await host.saveFile({ suggestedName: name, data: zip, mime: 'application/zip' });
    setSaved(where);
  }

  const file = bundle.files[fileIdx];
  return (
    <div className="panel" data-testid="bundle" data-generation={bundle.generationId}>
      <div className="chart-head">
        <h2>
          Generation {bundle.generationId}: {bundle.manifest.devices.length} device(s), {bundle.files.length} file(s)
          {bundle.keyIdsToRotate.length ? `, ${bundle.keyIdsToRotate.length} key(s) to rotate` : ''}
        </h2>
        <div className="chart-actions">
          <button type="button" data-testid="compare" onClick={() => void compare()}>
            Compare with previous
          </button>{' '}
          <button
            type="button"
            data-testid="save-bundle"
            disabled={bundle.files.length === 0}
            onClick={() => void save()}
          >
            Save bundle (.zip)
          </button>
        </div>
      </div>
      {saved && <p className="muted small">Saved: {saved}</p>}
      {bundle.manifest.warnings.length > 0 && (
        <ul className="muted small">
          {bundle.manifest.warnings.slice(0, 20).map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      {bundle.refused.length > 0 && (
        <>
          <h2>Refused ({bundle.refused.length})</h2>
          <Table
            className="refused"
            testId="refused"
            label="Refused values"
            rows={bundle.refused.slice(0, 500)}
            rowKey={(_, i) => i}
            columns={[
              { key: 'device', label: 'Device', render: (r) => r.device },
              { key: 'field', label: 'Field', render: (r) => r.field },
              { key: 'reason', label: 'Reason', render: (r) => r.reason },
            ]}
          />
        </>
      )}
      {bundle.files.length > 1 && (
        <div className="toolbar" role="tablist" aria-label="Files">
          {bundle.files.slice(0, 200).map((f, i) => (
            <button key={f.path} type="button" role="tab" aria-selected={i === fileIdx} onClick={() => setFileIdx(i)}>
              {f.path.split('/').pop()}
            </button>
          ))}
        </div>
      )}
      {file && (
        <>
          <p className="muted small" data-testid="file-path">
            {file.path} · sha256 {file.sha256}
          </p>
          <Code text={file.content} shell={bundle.manifest.what.shell} testId="preview" />
        </>
      )}
      {diff && (
        <>
          <h2>
            Compared with{' '}
            {diff[0]?.previousId ? `generation ${diff[0].previousId}` : 'nothing (first generation of this route)'}
          </h2>
          {diff.slice(0, 1).map((d) => (
            <Diff key={d.path} lines={d.diff} />
          ))}
        </>
      )}
    </div>
  );
}
