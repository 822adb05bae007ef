import { DatabaseConnector } from '@app/database';
import { Injectable } from '@nestjs/common';
import { FUNNEL_EVENTS, FunnelCohort, FunnelEvent, FunnelRepository } from './funnel.repository';

const HOUR_MS = 3_600_000;

export type FunnelCounts = Record<FunnelEvent, number>;

export interface FunnelHour extends FunnelCounts {
  start: Date;
  end: Date;
}

export interface Funnel {
  from: Date;
  to: Date;
  hours: FunnelHour[];
  totals: FunnelCounts;
  cohort: FunnelCohort;
}

const zero = (): FunnelCounts => ({ registered: 0, verified: 0, onboarded: 0, failed: 0 });

/** The onboarding funnel of a range, by hour (see FunnelRepository for what each event is). */
@Injectable()
export class FunnelStatistics {
  constructor(
    private readonly database: DatabaseConnector,
    private readonly funnel: FunnelRepository,
  ) {}

  /** Every hour of [from, to), empty ones included. The caller bounds the range (it makes one row per hour). */
  async get(from: Date, to: Date): Promise<Funnel> {
    this.database.assertConnected();
    const { events, cohort } = await this.funnel.read(from, to);
    const hours: FunnelHour[] = [];
    for (let start = from.getTime(); start < to.getTime(); start += HOUR_MS) {
      hours.push({
        start: new Date(start),
        end: new Date(Math.min(start + HOUR_MS, to.getTime())),
        ...zero(),
      });
    }
    const totals = zero();
    for (const { event, hour, count } of events) {
      const bucket = hours[hour];
      if (!bucket || !FUNNEL_EVENTS.includes(event)) continue;
      bucket[event] += count;
      totals[event] += count;
    }
    return { from, to, hours, totals, cohort };
  }
}
