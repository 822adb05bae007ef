import { useState } from 'preact/hooks';
import { api, segment } from '../api/client';
import type { Page, WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret } from '../api/types';
import { SecretOnce } from '../components/secret-once';
import { useAction } from '../components/use-action';
import { usePolling, useResource } from '../components/use-resource';
import { EndpointState, EventList } from '../components/webhook-endpoint';
import { WebhookDeliveries } from '../components/webhook-deliveries';
import { ConfirmButton, Facts, Notice, ProblemMessage, Time } from '../components/widgets';
import { href } from '../router';

/** Deliveries per page of the log (the API takes at most 100). */
const PAGE_SIZE = 25;
/** While a delivery of the first page is pending, the log is read again this often (and stops when none is). */
const POLL_MS = 1000;
const POLL_LIMIT = 120;

interface Log {
  endpoint: WebhookEndpoint;
  deliveries: Page<WebhookDelivery>;
}

const loadLog = async (endpointId: string): Promise<Log> => {
  const [endpoint, deliveries] = await Promise.all([
    api.get<WebhookEndpoint>(`/webhooks/${segment(endpointId)}`),
    api.get<Page<WebhookDelivery>>(`/webhooks/${segment(endpointId)}/deliveries`, { limit: PAGE_SIZE }),
  ]);
  return { endpoint, deliveries };
};

/**
 * One endpoint: what it receives, its secret's rotation, its delivery log (newest first, each delivery with its
 * attempts) with a redelivery for each settled delivery; rotate its secret, or delete it.
 */
export function WebhookPage({ endpointId, deliveryId }: { endpointId: string; deliveryId?: string }) {
  const log = useResource(() => loadLog(endpointId), [endpointId]);
  const [older, setOlder] = useState<WebhookDelivery[][]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [rotated, setRotated] = useState<WebhookEndpointWithSecret | undefined>(undefined);
  const [deleted, setDeleted] = useState(false);
  const outcome = useAction();

  const pending = log.data?.deliveries.items.some((delivery) => delivery.status === 'pending') ?? false;
  const restartPolling = usePolling(log, pending, { intervalMs: POLL_MS, limit: POLL_LIMIT });

  const act = async (action: () => Promise<string | undefined>) => {
    if (await outcome.run(action)) restartPolling();
  };

  const rotate = () =>
    act(async () => {
      setRotated(await api.post<WebhookEndpointWithSecret>(`/webhooks/${segment(endpointId)}/rotate-secret`));
      await log.reload();
      return undefined;
    });
  const remove = () =>
    act(async () => {
      await api.delete(`/webhooks/${segment(endpointId)}`);
      setRotated(undefined);
      setDeleted(true);
      return undefined;
    });
  const redeliver = (delivery: WebhookDelivery) =>
    act(async () => {
      const again = await api.post<WebhookDelivery>(
        `/webhooks/${segment(endpointId)}/deliveries/${segment(delivery.id)}/redeliver`,
      );
      await log.reload();
      return `Redelivery of ${again.eventType} scheduled: ${again.status} again, with the same webhook-id ${again.id}.`;
    });
  const more = async () => {
    const from = cursor === undefined ? log.data?.deliveries.nextCursor : cursor;
    if (!from) return;
    try {
      const page = await api.get<Page<WebhookDelivery>>(`/webhooks/${segment(endpointId)}/deliveries`, {
        limit: PAGE_SIZE,
        cursor: from,
      });
      setOlder([...older, page.items]);
      setCursor(page.nextCursor);
    } catch (caught) {
      outcome.fail(caught);
    }
  };

  if (deleted)
    return (
      <section aria-labelledby="webhook-title">
        <header class="page-header">
          <div>
            <p class="breadcrumb">
              <a href={href('webhooks')}>Webhooks</a> /
            </p>
            <h1 id="webhook-title">Endpoint deleted</h1>
          </div>
        </header>
        <Notice>
          Deleted: nothing is sent to it any more, its pending deliveries are skipped and its secrets wiped.{' '}
          <a href={href('webhooks')}>Back to the endpoints</a>
        </Notice>
      </section>
    );
  if (log.error && !log.data) return <ProblemMessage error={log.error} />;
  if (!log.data) return <p class="muted">Loading…</p>;
  const { endpoint, deliveries } = log.data;
  const nextCursor = cursor === undefined ? deliveries.nextCursor : cursor;

  return (
    <section aria-labelledby="webhook-title">
      <header class="page-header">
        <div>
          <p class="breadcrumb">
            <a href={href('webhooks')}>Webhooks</a> /
          </p>
          <h1 id="webhook-title">
            <code>{endpoint.url}</code>
          </h1>
        </div>
        <div class="header-status">
          {pending ? <span class="muted small">updating…</span> : null}
          <button type="button" onClick={() => void log.reload()}>
            Refresh
          </button>
          <ConfirmButton
            label="Rotate secret"
            confirmLabel="Rotate now"
            question="A new secret; the previous one keeps signing for the grace period."
            onConfirm={rotate}
          />
          <ConfirmButton
            label="Delete"
            confirmLabel="Delete for good"
            question="Stop sending to it, skip its pending deliveries and wipe its secrets?"
            danger
            onConfirm={remove}
          />
        </div>
      </header>
      {rotated ? (
        <SecretOnce
          title="New signing secret"
          secret={rotated.secret}
          onDismiss={() => setRotated(undefined)}
        />
      ) : null}
      {outcome.message ? <Notice>{outcome.message}</Notice> : null}
      <ProblemMessage error={outcome.error ?? log.error} />
      <div class="card">
        <Facts
          facts={[
            ['Id', <code key="id">{endpoint.id}</code>],
            ['Events', <EventList key="events" events={endpoint.events} />],
            ['State', <EndpointState key="state" endpoint={endpoint} />],
            ['Registered', <Time key="created" iso={endpoint.createdAt} />],
            ['Secret rotated', <Time key="rotated" iso={endpoint.secretRotatedAt} empty="never" />],
          ]}
        />
      </div>
      <div class="card">
        <h2>Deliveries</h2>
        {deliveries.items.length === 0 ? (
          <p class="muted">
            Nothing was sent to it yet: deliveries appear here once an event it wants happens.
          </p>
        ) : (
          <WebhookDeliveries
            deliveries={[
              ...deliveries.items,
              // The first page is read again while something is pending: newer deliveries push some of its
              // items into the older pages already shown.
              ...older.flat().filter((old) => !deliveries.items.some((item) => item.id === old.id)),
            ]}
            highlighted={deliveryId}
            onRedeliver={redeliver}
          />
        )}
        {nextCursor ? (
          <button type="button" onClick={() => void more()}>
            Older deliveries
          </button>
        ) : null}
      </div>
    </section>
  );
}
