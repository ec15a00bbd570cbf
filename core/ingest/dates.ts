// Date cells per file column: parsed to UTC, with flags for a missing time zone and day/month ambiguity, bounded per column.
import { parseDateInfo, type DateInfo, type DateValue } from './normalize.js';

/** Ambiguous dates flagged one by one per column; past this, one line says the rest are read the same way. */
export const MAX_AMBIGUOUS_FLAGS = 10;

interface Flagger {
  flag(line: number, field: string, message: string): void;
}

const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * A reader for one date column of one file. The per-row cost is parseDate's plus a few branches: every flag is
 * decided from what the parse already saw, and each kind is raised at most a bounded number of times per column
 * (a 5M-row log with local times gets one "no time zone" flag, not five million).
 */
export function dateColumn(field: string, problems: Flagger): (raw: string, line: number) => DateValue {
  const info: DateInfo = { zone: true, ambiguous: false, order: null };
  let noZone = false;
  /** Order the column has shown with a value that can be read only one way, and where. */
  let order: 'dmy' | 'mdy' | null = null;
  let orderAt = '';
  let mixed = false;
  let ambiguous = 0;
  return (raw, line) => {
    const t = parseDateInfo(raw, info, order === 'dmy');
    if (t === null || Number.isNaN(t)) return t;
    if (!info.zone && !noZone) {
      noZone = true;
      problems.flag(
        line,
        field,
        `"${raw.slice(0, 40)}" has no time zone: read as UTC (as are the other dates in this column without one)`,
      );
    }
    if (info.order) {
      if (order === null) {
        order = info.order;
        orderAt = `"${raw.slice(0, 40)}" on line ${line}`;
        if (order === 'dmy' && ambiguous > 0)
          problems.flag(
            line,
            field,
            `"${raw.slice(0, 40)}" shows this column is day/month: the ${ambiguous} ambiguous date${ambiguous === 1 ? '' : 's'} above this line ${ambiguous === 1 ? 'was' : 'were'} read as month/day; the ones below are read as day/month`,
          );
      } else if (info.order !== order && !mixed) {
        mixed = true;
        problems.flag(
          line,
          field,
          `"${raw.slice(0, 40)}" is ${info.order === 'dmy' ? 'day/month' : 'month/day'} but ${orderAt} is ${order === 'dmy' ? 'day/month' : 'month/day'}: this column mixes date orders; each date is read the only way it can be`,
        );
      }
    } else if (info.ambiguous) {
      ambiguous++;
      if (ambiguous <= MAX_AMBIGUOUS_FLAGS) {
        const how = order === 'dmy' ? 'day/month' : 'month/day';
        const why = order
          ? `, like ${orderAt}`
          : ' (the US order; no date in this column so far could be read only one way)';
        problems.flag(
          line,
          field,
          `"${raw.slice(0, 40)}" could be day/month or month/day: read as ${how} = ${ymd(t)}${why}`,
        );
      } else if (ambiguous === MAX_AMBIGUOUS_FLAGS + 1) {
        problems.flag(
          line,
          field,
          `more dates in this column could be day/month or month/day; they are read the same way and not listed one by one`,
        );
      }
    }
    return t;
  };
}
