// The report's Excel exports: the managers' workbook, and a site's or ring's recovery tracker for the war room.
import { useState } from 'react';
import { useWorkspace } from '../../state/workspace.js';

const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function WorkbookExports(props: { sites: string[]; rings: string[]; onSaved: (note: string | null) => void }) {
  const { db, host } = useWorkspace();
  const [scope, setScope] = useState('all');
  const [busy, setBusy] = useState(false);

  const save = async (make: () => Promise<{ name: string; bytes: Uint8Array }>) => {
    setBusy(true);
    props.onSaved(null);
    try {
      const { name, bytes } = await make();
      const saved = await host.saveFile({ suggestedName: name, data: bytes, mime: XLSX_MIME });
      props.onSaved(saved ? `Saved ${saved}` : null);
    } catch (e) {
      props.onSaved(`Not saved: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const [kind, value] = scope.split(':', 2) as ['all' | 'site' | 'ring', string | undefined];

  return (
    <>
      <button type="button" onClick={() => void save(() => db.reportXlsx())} disabled={busy} data-testid="report-xlsx">
        Download workbook (.xlsx)
      </button>
      <select
        value={scope}
        onChange={(e) => setScope(e.target.value)}
        aria-label="Devices in the recovery tracker"
        data-testid="tracker-scope"
      >
        <option value="all">All devices</option>
        {props.sites.map((s) => (
          <option key={`site:${s}`} value={`site:${s}`}>
            Site {s}
          </option>
        ))}
        {props.rings.map((r) => (
          <option key={`ring:${r}`} value={`ring:${r}`}>
            Ring {r}
          </option>
        ))}
      </select>
      <button
        type="button"
        onClick={() =>
          void save(() => db.exportTracker(kind === 'site' ? { site: value } : kind === 'ring' ? { ring: value } : {}))
        }
        disabled={busy}
        data-testid="tracker-export"
        title="Devices with their state, a Result drop-down and key IDs (never keys); import the edited file back"
      >
        Recovery tracker (.xlsx)
      </button>
    </>
  );
}
