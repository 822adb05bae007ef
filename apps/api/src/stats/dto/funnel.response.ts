import { ApiProperty } from '@nestjs/swagger';
import type { Funnel } from '../funnel.statistics';

/** What happened in one hour of the range. */
export class FunnelHourResponse {
  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:00:00.000Z' })
  start!: string;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-24T11:00:00.000Z',
    description: 'Exclusive; the last hour ends at `to`, so it is shorter when the range is not whole hours',
  })
  end!: string;

  @ApiProperty({ example: 12, description: 'Users registered (created) in this hour' })
  registered!: number;

  @ApiProperty({
    example: 7,
    description: 'Users whose email was verified in this hour (by token or by an admin)',
  })
  verified!: number;

  @ApiProperty({
    example: 11,
    description:
      'Users whose onboarding completed in this hour: the last of their required step units was done',
  })
  onboarded!: number;

  @ApiProperty({
    example: 1,
    description:
      'Users whose onboarding failed in this hour (the first required unit dead-lettered) and still is',
  })
  failed!: number;
}

/** Where the users registered in the range stand now. */
export class FunnelCohortResponse {
  @ApiProperty({ example: 240, description: 'Users registered in the range' })
  registered!: number;

  @ApiProperty({ example: 150, description: 'Of them, verified since' })
  verified!: number;

  @ApiProperty({ example: 236, description: 'Of them, onboarding completed' })
  onboarded!: number;

  @ApiProperty({ example: 3, description: 'Of them, onboarding failed (a required step is dead-lettered)' })
  failed!: number;

  @ApiProperty({ example: 1, description: 'Of them, onboarding still under way (or retrying)' })
  pending!: number;
}

export class FunnelTotalsResponse {
  @ApiProperty({ example: 240 })
  registered!: number;

  @ApiProperty({ example: 151 })
  verified!: number;

  @ApiProperty({ example: 237 })
  onboarded!: number;

  @ApiProperty({ example: 3 })
  failed!: number;
}

/**
 * The onboarding funnel over a range: per hour, what happened in it (registrations, verifications, onboardings
 * completed and failed), their totals, and the cohort of users registered in the range with where they stand now.
 */
export class FunnelResponse {
  @ApiProperty({ format: 'date-time', example: '2026-11-24T00:00:00.000Z' })
  from!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-25T00:00:00.000Z' })
  to!: string;

  @ApiProperty({
    type: [FunnelHourResponse],
    description: 'Every hour of the range from `from`, oldest first, hours with nothing included',
  })
  hours!: FunnelHourResponse[];

  @ApiProperty({ type: FunnelTotalsResponse, description: 'The sums of `hours`' })
  totals!: FunnelTotalsResponse;

  @ApiProperty({ type: FunnelCohortResponse })
  cohort!: FunnelCohortResponse;

  static from(funnel: Funnel): FunnelResponse {
    return {
      from: funnel.from.toISOString(),
      to: funnel.to.toISOString(),
      hours: funnel.hours.map(({ start, end, ...counts }) => ({
        start: start.toISOString(),
        end: end.toISOString(),
        ...counts,
      })),
      totals: funnel.totals,
      cohort: funnel.cohort,
    };
  }
}
