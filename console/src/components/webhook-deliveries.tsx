import { useEffect, useRef, useState } from 'preact/hooks';
import type { WebhookAttempt, WebhookDelivery } from '../api/types';
import { href } from '../router';
import { Badge, Facts, Time } from './widgets';

const COLUMNS = 9;

/**
 * An endpoint's delivery log, newest first: each delivery (its id is the `webhook-id` the receiver saw), its
 * status, attempts, the endpoint's last answer and error, its attempts on demand, and a redelivery once it is
 * settled (a pending one is on its way already: the API would answer 409).
 */
export function WebhookDeliveries({
  deliveries,
  highlighted,
  onRedeliver,
}: {
  deliveries: WebhookDelivery[];
  /** A delivery to show open and scroll to (a link from a user's timeline names it). */
  highlighted?: string;
  onRedeliver: (delivery: WebhookDelivery) => Promise<void>;
}) {
  return (
    <table aria-label="Deliveries">
      <thead>
        <tr>
          <th>webhook-id</th>
          <th>Event</th>
          <th>User</th>
          <th>Status</th>
          <th class="number">Attempts</th>
          <th class="number">Response</th>
          <th>Delivered / last change</th>
          <th>Last error</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {deliveries.map((delivery) => (
          <DeliveryRows
            key={delivery.id}
            delivery={delivery}
            highlighted={delivery.id === highlighted}
            onRedeliver={onRedeliver}
          />
        ))}
      </tbody>
    </table>
  );
}

function DeliveryRows({
  delivery,
  highlighted,
  onRedeliver,
}: {
  delivery: WebhookDelivery;
  highlighted: boolean;
  onRedeliver: (delivery: WebhookDelivery) => Promise<void>;
}) {
  const [open, setOpen] = useState(highlighted);
  const [busy, setBusy] = useState(false);
  const row = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    if (highlighted) row.current?.scrollIntoView({ block: 'center' });
  }, [highlighted]);

  const redeliver = async () => {
    setBusy(true);
    try {
      await onRedeliver(delivery);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <tr ref={row} class={open || highlighted ? 'row-open' : ''} data-delivery={delivery.id}>
        <td>
          <code title={delivery.id}>{delivery.id.slice(0, 8)}…</code>
        </td>
        <td>
          <code>{delivery.eventType}</code>
        </td>
        <td>
          <a href={href('users', delivery.userId)} title={delivery.userId}>
            {delivery.userId.slice(0, 8)}…
          </a>
        </td>
        <td data-testid="delivery-status">
          <Badge status={delivery.status} />
          {delivery.skippedReason ? <div class="muted small">{delivery.skippedReason}</div> : null}
        </td>
        <td class="number">{delivery.attemptCount}</td>
        <td class="number">{delivery.lastStatusCode ?? <span class="muted">–</span>}</td>
        <td>
          <Time iso={delivery.deliveredAt ?? delivery.updatedAt} />
        </td>
        <td class="wrap">{delivery.lastError ?? <span class="muted">–</span>}</td>
        <td class="actions">
          <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
            Attempts
          </button>
          <button
            type="button"
            disabled={busy || delivery.status === 'pending'}
            title={delivery.status === 'pending' ? 'On its way already' : 'Send it again, same webhook-id'}
            onClick={() => void redeliver()}
          >
            Redeliver
          </button>
        </td>
      </tr>
      {open ? (
        <tr class="row-detail">
          <td colSpan={COLUMNS}>
            <Facts
              facts={[
                ['webhook-id', <code key="id">{delivery.id}</code>],
                ['Event message', <code key="event">{delivery.eventId}</code>],
                ['User', <code key="user">{delivery.userId}</code>],
                ['Occurred', <Time key="occurred" iso={delivery.occurredAt} />],
                ['Scheduled', <Time key="created" iso={delivery.createdAt} />],
                ['Delivered', <Time key="delivered" iso={delivery.deliveredAt} empty="not yet" />],
              ]}
            />
            <AttemptsTable attempts={delivery.attempts} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** Every HTTP attempt of a delivery, newest first (redeliveries included). */
function AttemptsTable({ attempts }: { attempts: WebhookAttempt[] }) {
  if (attempts.length === 0) return <p class="muted">No attempt yet.</p>;
  return (
    <table aria-label="Attempts">
      <thead>
        <tr>
          <th class="number">Attempt</th>
          <th>Outcome</th>
          <th class="number">Response</th>
          <th class="number">Duration</th>
          <th>Started</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((attempt) => (
          <tr key={attempt.attempt}>
            <td class="number">{attempt.attempt}</td>
            <td>
              <Badge status={attempt.outcome} />
            </td>
            <td class="number">{attempt.statusCode ?? <span class="muted">no answer</span>}</td>
            <td class="number">{attempt.durationMs} ms</td>
            <td>
              <Time iso={attempt.startedAt} />
            </td>
            <td class="wrap">{attempt.error ?? <span class="muted">–</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
