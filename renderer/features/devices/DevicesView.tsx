// The device explorer: a virtual table over every device, filters (shared with the overview), sort, saved views, CSV.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DeviceQuery, DeviceRow, SortKey } from '../../../core/analysis/devices.js';
import { STATE_LABEL } from '../../../core/analysis/rules.js';
import { DEVICE_STATES } from '../../../core/contract/analysis.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { counted, debugTimings, utcFull } from '../../components/format.js';
import { useQuery, useWorkspace } from '../../state/workspace.js';
import { FilterBar } from '../overview/FilterBar.js';
import { useDashFilter } from '../../state/filter-store.js';
import { DeviceDrawer } from './DeviceDrawer.js';
import { takeDeviceRequest } from '../../state/navigate.js';
import { useDevicePages } from './use-device-pages.js';

interface LocalQuery {
  state: string;
  /** '' (all), confirmed or suspected. */
  certainty?: string;
  version: string;
  text: string;
  sort: SortKey;
  dir: 'asc' | 'desc';
}
interface SavedView {
  name: string;
  filter: Record<string, string | null | undefined>;
  local: LocalQuery;
}

const EMPTY: LocalQuery = { state: '', version: '', text: '', sort: 'hostname', dir: 'asc' };
const CLASSES = ['exposed', 'affected', 'remaining', 'recovered'];

const COLUMNS: Column<DeviceRow>[] = [
  { key: 'hostname', label: 'Hostname', width: 'minmax(150px, 2fr)', sortable: true, render: (r) => r.hostname },
  { key: 'ring', label: 'Ring', width: 'minmax(70px, 0.8fr)', sortable: true, render: (r) => r.ring },
  { key: 'site', label: 'Site', width: 'minmax(60px, 0.7fr)', sortable: true, render: (r) => r.site },
  {
    key: 'state',
    label: 'State',
    width: 'minmax(150px, 1.4fr)',
    sortable: true,
    render: (r) => (
      <>
        <span className={`state-dot st-${r.state}`} aria-hidden="true" /> {STATE_LABEL[r.state]}
      </>
    ),
  },
  { key: 'platform', label: 'Platform', width: 'minmax(70px, 0.7fr)', sortable: true, render: (r) => r.platform },
  { key: 'version', label: 'Sensor', width: 'minmax(110px, 1fr)', sortable: true, render: (r) => r.version },
  {
    key: 'crashedAt',
    label: 'Crashed (UTC)',
    width: 'minmax(170px, 1.1fr)',
    sortable: true,
    render: (r) => utcFull(r.crashedAt),
  },
  {
    key: 'lastSeen',
    label: 'Last seen (UTC)',
    width: 'minmax(170px, 1.1fr)',
    sortable: true,
    render: (r) => utcFull(r.lastSeen),
  },
  { key: 'sources', label: 'Sources', width: 'minmax(90px, 1fr)', render: (r) => r.sources },
];

export function DevicesView() {
  const { db, host, act } = useWorkspace();
  const [filter, setFilter] = useDashFilter();
  // Opened from a number or a bar on the Overview: list exactly what it counted.
  const [local, setLocal] = useState<LocalQuery>(() => {
    const r = takeDeviceRequest();
    return r ? { ...EMPTY, state: r.state ?? '', certainty: r.certainty ?? '' } : EMPTY;
  });
  const [text, setText] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  // Saved views live in the workspace and are journalled: "saved" is shown only once the host has them on disk.
  const stored = useQuery((c) => c.savedViews(), []);
  const views: SavedView[] = useMemo(
    () => (stored.data ?? []).map((v) => ({ name: v.name, ...(v.view as Omit<SavedView, 'name'>) })),
    [stored.data],
  );
  const [viewName, setViewName] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const options = useQuery((c) => c.summary({}), []);

  useEffect(() => {
    // Typing is debounced so a 1 M-row text search does not run per keystroke.
    const t = setTimeout(() => setLocal((l) => (l.text === text ? l : { ...l, text })), 250);
    return () => clearTimeout(t);
  }, [text]);

  const query: DeviceQuery = useMemo(
    () => ({
      ...filter,
      state: local.state || null,
      certainty: local.certainty === 'confirmed' || local.certainty === 'suspected' ? local.certainty : null,
      version: local.version || null,
      text: local.text || null,
      sort: local.sort,
      dir: local.dir,
    }),
    [filter, local],
  );
  const pages = useDevicePages(query);
  const onSort = useCallback(
    (key: string) =>
      setLocal((l) => ({ ...l, sort: key as SortKey, dir: l.sort === key && l.dir === 'asc' ? 'desc' : 'asc' })),
    [],
  );

  const saveView = async () => {
    const name = viewName.trim();
    if (!name) return;
    try {
      await act({ type: 'view.save', name, view: { filter: { ...filter }, local }, at: Date.now() });
      setViewName('');
      setNote(`Saved view “${name}”`);
    } catch (err) {
      setNote(`The view was not saved: ${(err as Error).message}`);
    }
  };
  const forgetViews = async () => {
    try {
      await act({ type: 'view.forget', name: null, at: Date.now() });
      setNote('Forgot the saved views');
    } catch (err) {
      setNote(`The views were not forgotten: ${(err as Error).message}`);
    }
  };
  const applyView = (name: string) => {
    const v = views.find((x) => x.name === name);
    if (!v) return;
    setFilter(v.filter);
    setLocal(v.local);
    setText(v.local.text);
  };
  const exportCsv = async () => {
    setNote('Exporting…');
    try {
      const csv = await db.exportDevicesCsv({ ...query, cursor: null });
      const saved = await host.saveFile({ suggestedName: 'devices.csv', data: csv, mime: 'text/csv' });
      setNote(saved ? `Saved ${saved}` : null);
    } catch (err) {
      setNote((err as Error).message);
    }
  };

  return (
    <section className="view devices" aria-labelledby="devices-title">
      <header className="view-head">
        <h1 id="devices-title">Devices</h1>
        <p className="muted small" data-testid="device-total" data-ready={pages.ready} aria-live="polite">
          {pages.counting
            ? 'Counting devices…'
            : pages.capped
              ? `${pages.total.toLocaleString('en-US')}+ devices (the first ${pages.total.toLocaleString('en-US')} are listed: narrow the search to see the rest)`
              : counted(pages.total, 'device')}
          {debugTimings() && pages.ms !== undefined && ` · first page in ${pages.ms} ms`}
        </p>
      </header>
      <FilterBar value={filter} options={options.data?.options} onChange={setFilter} />
      <div className="toolbar">
        <label>
          State
          <select
            data-testid="filter-state"
            value={local.state}
            onChange={(e) => setLocal({ ...local, state: e.target.value })}
          >
            <option value="">All</option>
            <optgroup label="Classes">
              {CLASSES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </optgroup>
            <optgroup label="States">
              {DEVICE_STATES.map((s) => (
                <option key={s} value={s}>
                  {STATE_LABEL[s]}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <label>
          Evidence
          <select
            data-testid="filter-certainty"
            value={local.certainty ?? ''}
            onChange={(e) => setLocal({ ...local, certainty: e.target.value })}
          >
            <option value="">All</option>
            <option value="confirmed">Confirmed</option>
            <option value="suspected">Suspected</option>
          </select>
        </label>
        <label>
          Sensor version
          <input
            data-testid="filter-version"
            value={local.version}
            placeholder="e.g. 7.11"
            size={10}
            onChange={(e) => setLocal({ ...local, version: e.target.value })}
          />
        </label>
        <label>
          Search
          <input
            data-testid="filter-text"
            type="search"
            value={text}
            placeholder="hostname, serial, AID, user"
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <label>
          Saved views
          <select data-testid="saved-views" value="" onChange={(e) => applyView(e.target.value)}>
            <option value="">{views.length ? 'Apply a view…' : 'None saved'}</option>
            {views.map((v) => (
              <option key={v.name} value={v.name}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Save as
          <input
            value={viewName}
            size={12}
            onChange={(e) => setViewName(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && void saveView()}
          />
        </label>
        <button type="button" onClick={() => void saveView()} disabled={!viewName.trim()}>
          Save view
        </button>
        {views.length > 0 && (
          <button type="button" className="ghost" onClick={() => void forgetViews()}>
            Forget views
          </button>
        )}
        <button type="button" className="primary" onClick={() => void exportCsv()} data-testid="export-csv">
          Export CSV
        </button>
      </div>
      {note && (
        <p className="muted small" role="status" data-testid="devices-note">
          {note}
        </p>
      )}
      {pages.error && <p className="error">{pages.error}</p>}
      <div className={open !== null ? 'with-drawer' : undefined}>
        <DataTable
          testId="device-table"
          label="Devices"
          columns={COLUMNS}
          total={pages.total}
          rowAt={pages.rowAt}
          onRange={pages.onRange}
          sort={{ key: local.sort, dir: local.dir }}
          onSort={onSort}
          onOpen={(r) => setOpen(r.id)}
          rowKey={(r) => r.id}
        />
        {open !== null && <DeviceDrawer id={open} onClose={() => setOpen(null)} />}
      </div>
    </section>
  );
}
