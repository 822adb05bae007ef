import type { WebhookEndpoint } from '../api/types';
import { Badge, Time } from './widgets';

/** The event types an endpoint receives. */
export function EventList({ events }: { events: string[] }) {
  return (
    <span class="event-list">
      {events.map((event) => (
        <code key={event}>{event}</code>
      ))}
    </span>
  );
}

/** Listed means live (sending); after a rotation, two secrets sign until the previous one expires. */
export function EndpointState({ endpoint }: { endpoint: WebhookEndpoint }) {
  return (
    <span class="endpoint-state">
      <Badge status="active" />
      {endpoint.previousSecretExpiresAt ? (
        <span class="muted small">
          previous secret signs until <Time iso={endpoint.previousSecretExpiresAt} />
        </span>
      ) : endpoint.secretRotatedAt ? (
        <span class="muted small">
          secret rotated <Time iso={endpoint.secretRotatedAt} />
        </span>
      ) : null}
    </span>
  );
}
