import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { TransactionCommitEvent, TransactionRollbackEvent, TransactionStartEvent } from 'typeorm';
import type { OutboxExchange } from './outbox.writer';

/** An outbox row as its writer knows it, enough to publish it without reading it back. */
export interface WrittenOutboxMessage {
  id: string;
  /** The AMQP message id: the row's own id unless it replays an earlier message. */
  messageId: string;
  exchange: OutboxExchange;
  routingKey: string;
  payload: unknown;
  headers: Record<string, string>;
  createdAt: Date;
}

/**
 * The `available_at, publish_attempts` of a row written for the handoff, from the statement's parameter that
 * holds {@link OutboxHandoff.leaseMs}: claimed a lease ahead with its attempt counted, or due at once for 0.
 */
export const handoffClaimValues = (leaseMsParam: string): string =>
  `clock_timestamp() + make_interval(secs => ${leaseMsParam}::float8 / 1000), (${leaseMsParam}::float8 > 0)::int`;

/** What publishes rows handed off at commit: the relay of this process. */
export interface CommittedMessagePublisher {
  /** How long a handed-off row is left alone by every relay: longer than its publish and mark can take. */
  readonly handoffLeaseMs: number;
  /** Publishes the rows and marks them published; must not throw (a failure leaves them to the relay). */
  publishCommitted(messages: readonly WrittenOutboxMessage[]): void;
}

/**
 * Hands the outbox rows a process writes to its own relay the moment they are committed, instead of leaving them
 * to the NOTIFY, the relay's wake-up and its claim statement: one hop and one round trip fewer between a signup
 * and its first step, and between each step and the next.
 *
 * A handed-off row is written claimed (its `available_at` a lease ahead, its first attempt counted), so no relay
 * claims it meanwhile and its insert wakes none (see the OutboxHandoff migration). If the process dies before
 * the row is marked, the row falls due when the lease runs out and any relay publishes it: the guarantee stays
 * the outbox's, at the price of that delay after a crash. Rows of a transaction that rolls back are never
 * handed off; a rollback to a savepoint drops the whole transaction's rows from the handoff (the rows before the
 * savepoint still commit, and wait out their lease), since TypeORM does not say which rows a savepoint covered.
 *
 * A TypeORM subscriber for the transaction events; used by every writer of outbox rows (the
 * OutboxWriter, and the registration's one-statement insert).
 */
@Injectable()
export class OutboxHandoff implements EntitySubscriberInterface {
  private publisher?: CommittedMessagePublisher;
  private leasing = false;
  private readonly awaitingCommit = new WeakMap<QueryRunner, WrittenOutboxMessage[]>();

  /** Called by the relay when it starts: from then on, new rows are written claimed and handed to it. */
  attach(publisher: CommittedMessagePublisher): void {
    this.publisher = publisher;
    this.leasing = true;
  }

  /**
   * Called by the relay when it stops: rows written from now on are due at once, so that its final flush (or
   * another replica) takes them. Rows written claimed before are still handed off when they commit.
   */
  stopLeasing(): void {
    this.leasing = false;
  }

  /** The lease to write new rows with; 0 when nothing in this process would publish them at commit. */
  get leaseMs(): number {
    return this.leasing && this.publisher ? this.publisher.handoffLeaseMs : 0;
  }

  /**
   * `messages` were just written by a statement on `manager` with `leaseMs` (read from {@link leaseMs} before
   * it): claimed ones are published when its transaction commits, or now when the statement was a transaction of
   * its own; rows written due (0) are left to the relays.
   */
  written(manager: EntityManager, leaseMs: number, messages: readonly WrittenOutboxMessage[]): void {
    if (leaseMs <= 0 || !this.publisher || messages.length === 0) return;
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      this.publisher.publishCommitted(messages);
      return;
    }
    this.subscribeTo(runner.connection);
    const pending = this.awaitingCommit.get(runner);
    if (pending) pending.push(...messages);
    else this.awaitingCommit.set(runner, [...messages]);
  }

  /**
   * The data source is initialized when the database is first reached (DatabaseConnector), and initializing it
   * rebuilds its list of subscribers: so the handoff subscribes when it is first needed, before the commit it
   * waits for, rather than at construction.
   */
  private subscribeTo(dataSource: DataSource): void {
    if (!dataSource.subscribers.includes(this)) dataSource.subscribers.push(this);
  }

  /** A query runner can be reused: nothing of an earlier transaction that never ended cleanly carries over. */
  beforeTransactionStart(event: TransactionStartEvent): void {
    if (!event.queryRunner.isTransactionActive) this.awaitingCommit.delete(event.queryRunner);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // Still active: a savepoint was released, and the transaction goes on.
    if (event.queryRunner.isTransactionActive) return;
    const messages = this.awaitingCommit.get(event.queryRunner);
    this.awaitingCommit.delete(event.queryRunner);
    if (messages) this.publisher?.publishCommitted(messages);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.awaitingCommit.delete(event.queryRunner);
  }
}
