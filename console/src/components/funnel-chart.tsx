import type { Funnel, FunnelCounts } from '../api/types';
import { formatHour, formatShortDate, formatTimeOfDay } from '../format';

export const SERIES: { key: keyof FunnelCounts; label: string }[] = [
  { key: 'registered', label: 'Registered' },
  { key: 'verified', label: 'Verified' },
  { key: 'onboarded', label: 'Onboarded' },
  { key: 'failed', label: 'Failed' },
];

const WIDTH = 960;
const HEIGHT = 260;
const PAD = { left: 44, right: 12, top: 12, bottom: 40 };

/** Integer y-axis ticks: 0 to a round bound, in steps of 1, 2 or 5 × 10ⁿ, about four of them. */
function ticks(max: number): number[] {
  const rough = Math.max(1, max / 4);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step =
    [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? rough;
  const top = Math.max(step, Math.ceil(max / step) * step);
  return Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
}

/**
 * The funnel's events per hour, drawn in SVG (no chart library): grouped bars for up to two days of hours, lines
 * beyond, so that a month stays readable. Colours come from the stylesheet (`series-<name>` classes).
 */
export function FunnelChart({ funnel }: { funnel: Funnel }) {
  const { hours } = funnel;
  const axis = ticks(Math.max(1, ...hours.flatMap((hour) => SERIES.map(({ key }) => hour[key]))));
  const max = axis.at(-1) ?? 1;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(1, hours.length);
  const y = (value: number) => PAD.top + plotHeight - (value / max) * plotHeight;
  const labelEvery = Math.max(1, Math.ceil(hours.length / 12));
  const bars = hours.length <= 48;

  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Funnel events per hour, ${hours.length} hours`}
      >
        {axis.map((tick) => (
          <g key={tick} class="axis">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text x={PAD.left - 6} y={y(tick) + 4} text-anchor="end">
              {tick}
            </text>
          </g>
        ))}
        {hours.map((hour, index) => {
          if (index % labelEvery !== 0) return null;
          const x = PAD.left + slot * index + slot / 2;
          // The date under the first label and wherever the day changes; the time of day under every label.
          const previous = index >= labelEvery ? hours[index - labelEvery] : undefined;
          const newDay = !previous || formatShortDate(previous.start) !== formatShortDate(hour.start);
          return (
            <g key={hour.start} class="axis">
              <text x={x} y={HEIGHT - 20} text-anchor="middle">
                {formatTimeOfDay(hour.start)}
              </text>
              {newDay ? (
                <text x={x} y={HEIGHT - 6} text-anchor="middle">
                  {formatShortDate(hour.start)}
                </text>
              ) : null}
            </g>
          );
        })}
        {bars
          ? hours.map((hour, index) =>
              SERIES.map(({ key }, series) => {
                const width = (slot * 0.8) / SERIES.length;
                const value = hour[key];
                return value > 0 ? (
                  <rect
                    key={`${hour.start}-${key}`}
                    class={`series-${key}`}
                    x={PAD.left + slot * index + slot * 0.1 + width * series}
                    y={y(value)}
                    width={Math.max(1, width - 1)}
                    height={y(0) - y(value)}
                  >
                    <title>{`${formatHour(hour.start)}: ${value} ${key}`}</title>
                  </rect>
                ) : null;
              }),
            )
          : SERIES.map(({ key }) => (
              <polyline
                key={key}
                class={`line series-${key}`}
                points={hours
                  .map((hour, index) => `${PAD.left + slot * index + slot / 2},${y(hour[key])}`)
                  .join(' ')}
              />
            ))}
      </svg>
      <figcaption class="legend">
        {SERIES.map(({ key, label }) => (
          <span key={key} class="legend-item">
            <span class={`swatch series-${key}`} />
            {label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
