import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Funnel } from '../api/types';
import { FunnelChart, SERIES } from '../components/funnel-chart';
import { useResource } from '../components/use-resource';
import { ProblemMessage, Time } from '../components/widgets';
import { formatHour, fromLocalInput, nextLocalHour, percent, toLocalInput } from '../format';

const HOUR = 3_600_000;

const PRESETS = [
  { id: '24h', label: 'Last 24 hours', hours: 24 },
  { id: '7d', label: 'Last 7 days', hours: 7 * 24 },
  { id: '31d', label: 'Last 31 days', hours: 31 * 24 },
] as const;

interface Range {
  from: Date;
  to: Date;
}

/** The last `hours` hours in whole local hours, the current one included. */
const lastHours = (hours: number): Range => {
  const to = nextLocalHour();
  return { from: new Date(to.getTime() - hours * HOUR), to };
};

/**
 * The onboarding funnel of a range: where the users registered in it stand now (registered → verified →
 * onboarded or failed), and what happened in each hour of it.
 */
export function FunnelPage() {
  const [range, setRange] = useState<Range>(() => lastHours(24));
  const [preset, setPreset] = useState<string>('24h');
  const [fromInput, setFromInput] = useState(toLocalInput(range.from));
  const [toInput, setToInput] = useState(toLocalInput(range.to));
  const funnel = useResource(
    () => api.get<Funnel>('/stats/funnel', { from: range.from.toISOString(), to: range.to.toISOString() }),
    [range.from.getTime(), range.to.getTime()],
  );

  const choose = (next: Range, id: string) => {
    setPreset(id);
    setRange(next);
    setFromInput(toLocalInput(next.from));
    setToInput(toLocalInput(next.to));
  };
  const applyCustom = (event: Event) => {
    event.preventDefault();
    const from = fromLocalInput(fromInput);
    const to = fromLocalInput(toInput);
    if (from && to) choose({ from, to }, 'custom');
  };

  return (
    <section aria-labelledby="funnel-title">
      <header class="page-header">
        <h1 id="funnel-title">Onboarding funnel</h1>
        <button type="button" onClick={() => void funnel.reload()} disabled={funnel.loading}>
          Refresh
        </button>
      </header>
      <div class="toolbar">
        <div class="segmented" role="group" aria-label="Range">
          {PRESETS.map(({ id, label, hours }) => (
            <button
              key={id}
              type="button"
              aria-pressed={preset === id}
              onClick={() => choose(lastHours(hours), id)}
            >
              {label}
            </button>
          ))}
        </div>
        <form class="inline-form" onSubmit={applyCustom}>
          <label>
            From{' '}
            <input
              type="datetime-local"
              value={fromInput}
              onInput={(e) => setFromInput(e.currentTarget.value)}
            />
          </label>
          <label>
            To{' '}
            <input type="datetime-local" value={toInput} onInput={(e) => setToInput(e.currentTarget.value)} />
          </label>
          <button type="submit">Show</button>
        </form>
      </div>
      <ProblemMessage error={funnel.error} />
      {funnel.data ? (
        <FunnelView funnel={funnel.data} />
      ) : funnel.loading ? (
        <p class="muted">Loading…</p>
      ) : null}
    </section>
  );
}

function FunnelView({ funnel }: { funnel: Funnel }) {
  const { cohort } = funnel;
  const stages = [
    { key: 'registered', label: 'Registered', count: cohort.registered },
    { key: 'verified', label: 'Verified', count: cohort.verified },
    { key: 'onboarded', label: 'Onboarded', count: cohort.onboarded },
    { key: 'failed', label: 'Failed', count: cohort.failed },
    { key: 'pending', label: 'Still onboarding', count: cohort.pending },
  ];
  const active = funnel.hours.filter((hour) => SERIES.some(({ key }) => hour[key] > 0));
  return (
    <>
      <p class="muted">
        <Time iso={funnel.from} /> to <Time iso={funnel.to} /> ({funnel.hours.length} hours)
      </p>
      <div class="grid-2">
        <div class="card">
          <h2>Users registered in the range, now</h2>
          <ul class="funnel" aria-label="Cohort">
            {stages.map(({ key, label, count }) => (
              <li key={key} class="funnel-stage">
                <span class="funnel-label">{label}</span>
                <span class="funnel-bar">
                  <span
                    class={`funnel-fill series-${key}`}
                    style={{ width: cohort.registered ? `${(count / cohort.registered) * 100}%` : '0%' }}
                  />
                </span>
                <span class="funnel-count" data-testid={`cohort-${key}`}>
                  {count}
                </span>
                <span class="funnel-percent">{percent(count, cohort.registered)}</span>
              </li>
            ))}
          </ul>
        </div>
        <div class="card">
          <h2>Events in the range</h2>
          <dl class="totals">
            {SERIES.map(({ key, label }) => (
              <div key={key} class={`total total-${key}`}>
                <dt>{label}</dt>
                <dd data-testid={`total-${key}`}>{funnel.totals[key]}</dd>
              </div>
            ))}
          </dl>
          <p class="muted small">
            Each user counts once per event, in the hour it happened; onboarded and failed are the outcome the
            user has now (a failure repaired since counts where onboarding then completed).
          </p>
        </div>
      </div>
      <div class="card">
        <h2>By hour</h2>
        <FunnelChart funnel={funnel} />
      </div>
      <div class="card">
        <h2>Hours with activity</h2>
        {active.length === 0 ? (
          <p class="muted">Nothing happened in this range.</p>
        ) : (
          <table aria-label="Hours with activity">
            <thead>
              <tr>
                <th>Hour</th>
                {SERIES.map(({ key, label }) => (
                  <th key={key} class="number">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {active.map((hour) => (
                <tr key={hour.start}>
                  <td>
                    <time dateTime={hour.start}>{formatHour(hour.start)}</time>
                  </td>
                  {SERIES.map(({ key }) => (
                    <td key={key} class="number">
                      {hour[key]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
