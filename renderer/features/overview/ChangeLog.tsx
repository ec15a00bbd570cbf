// The workspace's change log on the Overview: what each import and merge changed, newest first.
import { describeChanges } from '../../../core/analysis/change-log.js';
import { utcFull } from '../../components/format.js';
import { useQuery } from '../../state/workspace.js';

export function ChangeLog(props: { limit?: number; headingLevel?: 2 | 3 }) {
  const { data } = useQuery((c) => c.changeLog(props.limit ?? 10), [props.limit]);
  if (!data || data.length === 0) return null;
  const H = props.headingLevel === 3 ? 'h3' : 'h2';
  return (
    <section className="panel change-log" aria-labelledby="change-log-title" data-testid="change-log">
      <H id="change-log-title">What changed the data</H>
      <ol className="plain">
        {data.map((e) => (
          <li key={e.id}>
            <time dateTime={new Date(e.at).toISOString()} className="muted small">
              {utcFull(e.at)} UTC
            </time>{' '}
            <strong>{e.label}</strong>: {describeChanges(e.changes)}
          </li>
        ))}
      </ol>
    </section>
  );
}
