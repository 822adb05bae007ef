import { useState } from 'preact/hooks';
import { api, segment } from '../api/client';
import {
  type Page,
  WEBHOOK_EVENT_TYPES,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
  type WebhookEventType,
} from '../api/types';
import { SecretOnce } from '../components/secret-once';
import { EndpointState, EventList } from '../components/webhook-endpoint';
import { useResource } from '../components/use-resource';
import { Badge, ProblemMessage, Time } from '../components/widgets';
import { href } from '../router';

/** Endpoints per page of the list (the API takes at most 100). */
const PAGE_SIZE = 50;

/**
 * The webhook endpoints (the API lists live ones only: a deleted endpoint is gone), each with its latest delivery,
 * and the form that registers one and shows its signing secret, once.
 */
export function WebhooksPage() {
  const [pages, setPages] = useState<WebhookEndpoint[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const [created, setCreated] = useState<WebhookEndpointWithSecret | undefined>(undefined);
  const first = useResource(async () => {
    const page = await api.get<Page<WebhookEndpoint>>('/webhooks', { limit: PAGE_SIZE });
    setPages([page.items]);
    setCursor(page.nextCursor);
    return page;
  }, []);

  const more = async () => {
    if (!cursor) return;
    setMoreError(undefined);
    try {
      const page = await api.get<Page<WebhookEndpoint>>('/webhooks', { limit: PAGE_SIZE, cursor });
      setPages([...pages, page.items]);
      setCursor(page.nextCursor);
    } catch (caught) {
      setMoreError(caught);
    }
  };

  const endpoints = pages.flat();

  return (
    <section aria-labelledby="webhooks-title">
      <header class="page-header">
        <h1 id="webhooks-title">Webhooks</h1>
        <button type="button" onClick={() => void first.reload()} disabled={first.loading}>
          Refresh
        </button>
      </header>
      <CreateEndpoint
        onCreated={async (endpoint) => {
          setCreated(endpoint);
          await first.reload();
        }}
      />
      {created ? (
        <SecretOnce
          title={`Registered ${created.url}`}
          secret={created.secret}
          onDismiss={() => setCreated(undefined)}
        />
      ) : null}
      <ProblemMessage error={first.error ?? moreError} />
      {first.data ? (
        endpoints.length === 0 ? (
          <p class="card muted">No webhook endpoint is registered.</p>
        ) : (
          <div class="card">
            <table aria-label="Webhook endpoints">
              <thead>
                <tr>
                  <th>URL</th>
                  <th>Events</th>
                  <th>State</th>
                  <th>Created</th>
                  <th>Latest delivery</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.map((endpoint) => (
                  <tr key={endpoint.id} data-endpoint={endpoint.id}>
                    <td class="wrap">
                      <a href={href('webhooks', endpoint.id)}>
                        <code>{endpoint.url}</code>
                      </a>
                    </td>
                    <td>
                      <EventList events={endpoint.events} />
                    </td>
                    <td>
                      <EndpointState endpoint={endpoint} />
                    </td>
                    <td>
                      <Time iso={endpoint.createdAt} />
                    </td>
                    <td>
                      <LatestDelivery endpointId={endpoint.id} list={first.data} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {cursor ? (
              <button type="button" onClick={() => void more()}>
                More endpoints
              </button>
            ) : null}
          </div>
        )
      ) : first.loading ? (
        <p class="muted">Loading…</p>
      ) : null}
    </section>
  );
}

/**
 * The newest delivery of an endpoint (the list does not carry it: one small read per row), read again whenever
 * the list is (`list` is its latest answer).
 */
function LatestDelivery({ endpointId, list }: { endpointId: string; list: unknown }) {
  const latest = useResource(
    () => api.get<Page<WebhookDelivery>>(`/webhooks/${segment(endpointId)}/deliveries`, { limit: 1 }),
    [endpointId, list],
  );
  if (latest.error) return <span class="muted">unknown</span>;
  if (!latest.data) return <span class="muted">…</span>;
  const [delivery] = latest.data.items;
  if (!delivery) return <span class="muted">none yet</span>;
  return (
    <span class="latest-delivery">
      <Badge status={delivery.status} /> <code>{delivery.eventType}</code>
      {delivery.lastStatusCode !== null ? (
        <span class="muted small">HTTP {delivery.lastStatusCode}</span>
      ) : null}{' '}
      <Time iso={delivery.deliveredAt ?? delivery.updatedAt} />
    </span>
  );
}

/** Registers an endpoint: its URL and the events it wants (the API checks both, and the SSRF guard the URL). */
function CreateEndpoint({
  onCreated,
}: {
  onCreated: (endpoint: WebhookEndpointWithSecret) => Promise<void>;
}) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>(['user.registered', 'user.verified']);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const toggle = (event: WebhookEventType, on: boolean) =>
    setEvents(WEBHOOK_EVENT_TYPES.filter((type) => (type === event ? on : events.includes(type))));

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const endpoint = await api.post<WebhookEndpointWithSecret>('/webhooks', { url: url.trim(), events });
      setUrl('');
      await onCreated(endpoint);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" aria-label="Register an endpoint" onSubmit={(event) => void submit(event)}>
      <h2>Register an endpoint</h2>
      <label for="webhook-url">URL</label>
      <div class="search-row">
        <input
          id="webhook-url"
          type="url"
          value={url}
          onInput={(event) => setUrl(event.currentTarget.value)}
          autoComplete="off"
          spellcheck={false}
        />
        <button type="submit" class="button-primary" disabled={busy || !url.trim() || events.length === 0}>
          Register
        </button>
      </div>
      <fieldset class="event-choice">
        <legend>Events</legend>
        {WEBHOOK_EVENT_TYPES.map((type) => (
          <label key={type}>
            <input
              type="checkbox"
              checked={events.includes(type)}
              onChange={(event) => toggle(type, event.currentTarget.checked)}
            />{' '}
            <code>{type}</code>
          </label>
        ))}
      </fieldset>
      <p class="muted small">
        An absolute URL: https, on a public address (unless WEBHOOK_ALLOW_PRIVATE_NETWORKS). Each event is
        POSTed to it, signed per Standard Webhooks. The signing secret is shown once, right after registering.
      </p>
      <ProblemMessage error={error} />
    </form>
  );
}
