// The filter bar (ring, site, platform, tag) shared by the overview and the device table.
import type { DashFilter } from '../../../core/analysis/filter.js';

export interface FilterOptions {
  rings: string[];
  sites: string[];
  platforms: string[];
  tags: string[];
}

const FIELDS = [
  ['ring', 'Ring', 'rings'],
  ['site', 'Site', 'sites'],
  ['platform', 'Platform', 'platforms'],
  ['tag', 'Tag', 'tags'],
] as const;

export function FilterBar(props: {
  value: DashFilter;
  options: FilterOptions | undefined;
  onChange: (f: DashFilter) => void;
}) {
  const { value, options, onChange } = props;
  const active = FIELDS.some(([k]) => value[k]);
  return (
    <div className="toolbar filter-bar" role="group" aria-label="Filter">
      {FIELDS.map(([key, label, list]) => (
        <label key={key}>
          {label}
          <select
            data-testid={`filter-${key}`}
            value={value[key] ?? ''}
            onChange={(e) => onChange({ ...value, [key]: e.target.value || null })}
          >
            <option value="">All</option>
            {(options?.[list] ?? []).map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
      ))}
      <button type="button" disabled={!active} onClick={() => onChange({})} data-testid="filter-reset">
        Clear filter
      </button>
    </div>
  );
}
