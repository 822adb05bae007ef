import type { DeadLetterStatus } from '@app/dead-letters';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface DeadLetterGroupRow {
  errorCode: string;
  queue: string | null;
  routingKey: string;
  count: number;
  replayable: number;
  firstDeadLetteredAt: Date;
  lastDeadLetteredAt: Date;
  lastMessageId: string;
  lastErrorMessage: string;
}

/**
 * Dead letters of one status counted by error code, queue (hence step) and routing key, biggest group first, with
 * the latest one of each group. `replayable` counts those the bulk replay would take (a JSON body whose type is
 * its routing key). The latest letter is found through the error code's index, per group, rather than by
 * aggregating every message of a large group.
 */
const GROUPS_SQL = `
  SELECT g.*, latest.message_id AS "lastMessageId", latest.error_message AS "lastErrorMessage"
  FROM (
    SELECT error_code AS "errorCode", queue, routing_key AS "routingKey", count(*)::int AS count,
           count(*) FILTER (WHERE payload IS NOT NULL AND type = routing_key)::int AS replayable,
           min(dead_lettered_at) AS "firstDeadLetteredAt", max(dead_lettered_at) AS "lastDeadLetteredAt"
    FROM dead_letters
    WHERE status = $1
      AND ($2::timestamptz IS NULL OR dead_lettered_at >= $2)
      AND ($3::timestamptz IS NULL OR dead_lettered_at < $3)
    GROUP BY error_code, queue, routing_key
    ORDER BY count DESC, error_code, queue NULLS LAST, routing_key
    LIMIT $4
  ) g
  CROSS JOIN LATERAL (
    SELECT message_id, error_message FROM dead_letters d
    WHERE d.error_code = g."errorCode" AND d.dead_lettered_at = g."lastDeadLetteredAt" AND d.status = $1
      AND d.queue IS NOT DISTINCT FROM g.queue AND d.routing_key = g."routingKey"
    ORDER BY d.message_id DESC LIMIT 1
  ) latest
  ORDER BY g.count DESC, g."errorCode", g.queue NULLS LAST, g."routingKey"`;

/** Read-only grouping of the dead-letter ledger, behind `GET /dead-letters/groups`. */
@Injectable()
export class DeadLetterGroupsRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(
    status: DeadLetterStatus,
    range: { from?: Date; to?: Date },
    limit: number,
  ): Promise<DeadLetterGroupRow[]> {
    return this.dataSource.query(GROUPS_SQL, [status, range.from ?? null, range.to ?? null, limit]);
  }
}
