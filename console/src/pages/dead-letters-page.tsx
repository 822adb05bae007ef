import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type {
  BulkReplay,
  DeadLetterGroup,
  DeadLetterGroups,
  DeadLetterStatus,
  DeadLetterSummary,
  Page,
} from '../api/types';
import { useResource } from '../components/use-resource';
import { Badge, Notice, ProblemMessage, Time } from '../components/widgets';
import { fromLocalInput } from '../format';
import { href } from '../router';

const STATUSES: DeadLetterStatus[] = ['pending', 'replayed', 'discarded'];
/** The most the bulk replay takes in one request. */
const REPLAY_LIMIT = 1000;

interface Filter {
  status: DeadLetterStatus;
  from?: string;
  to?: string;
}

const groupKey = (group: DeadLetterGroup) => `${group.errorCode}|${group.queue ?? ''}|${group.routingKey}`;

/**
 * Dead letters grouped by error code and step (counted by the API over the whole ledger, not a page of it). A
 * group opens into its letters; a pending group is replayed after a dry run that lists exactly what would go.
 */
export function DeadLettersPage() {
  const [filter, setFilter] = useState<Filter>({ status: 'pending' });
  const [fromInput, setFromInput] = useState('');
  const [toInput, setToInput] = useState('');
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const groups = useResource(
    () => api.get<DeadLetterGroups>('/dead-letters/groups', { ...filter }),
    [filter.status, filter.from, filter.to],
  );

  const applyFilter = (event: Event) => {
    event.preventDefault();
    setFilter({
      status: filter.status,
      from: fromLocalInput(fromInput)?.toISOString(),
      to: fromLocalInput(toInput)?.toISOString(),
    });
  };

  const total = groups.data?.groups.reduce((sum, group) => sum + group.count, 0) ?? 0;

  return (
    <section aria-labelledby="dead-letters-title">
      <header class="page-header">
        <h1 id="dead-letters-title">Dead letters</h1>
        <button type="button" onClick={() => void groups.reload()} disabled={groups.loading}>
          Refresh
        </button>
      </header>
      <form class="toolbar inline-form" onSubmit={applyFilter}>
        <label>
          Status{' '}
          <select
            value={filter.status}
            onChange={(event) =>
              setFilter({ ...filter, status: event.currentTarget.value as DeadLetterStatus })
            }
          >
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </label>
        <label>
          Dead-lettered from{' '}
          <input
            type="datetime-local"
            value={fromInput}
            onInput={(e) => setFromInput(e.currentTarget.value)}
          />
        </label>
        <label>
          to{' '}
          <input type="datetime-local" value={toInput} onInput={(e) => setToInput(e.currentTarget.value)} />
        </label>
        <button type="submit">Apply</button>
      </form>
      {message ? <Notice>{message}</Notice> : null}
      <ProblemMessage error={groups.error} />
      {groups.data ? (
        groups.data.groups.length === 0 ? (
          <p class="card muted">
            No {filter.status} dead letters{filter.from || filter.to ? ' in this range' : ''}.
          </p>
        ) : (
          <div class="card">
            <p class="muted">
              {total} {filter.status} dead letter{total === 1 ? '' : 's'} in {groups.data.groups.length} group
              {groups.data.groups.length === 1 ? '' : 's'}
              {groups.data.truncated ? ' (only the 100 biggest groups are shown)' : ''}.
            </p>
            <table aria-label="Dead-letter groups">
              <thead>
                <tr>
                  <th>Error code</th>
                  <th>Step</th>
                  <th>Routing key</th>
                  <th class="number">Letters</th>
                  <th class="number">Replayable</th>
                  <th>First</th>
                  <th>Latest</th>
                  <th>Latest error</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {groups.data.groups.map((group) => {
                  const key = groupKey(group);
                  return (
                    <GroupRows
                      key={key}
                      group={group}
                      filter={filter}
                      open={open === key}
                      onToggle={() => setOpen(open === key ? undefined : key)}
                      onReplayed={async (replayed) => {
                        setMessage(
                          `Replayed ${replayed.count} dead letter${replayed.count === 1 ? '' : 's'} of ${group.errorCode}.`,
                        );
                        await groups.reload();
                      }}
                    />
                  );
                })}
              </tbody>
            </table>
          </div>
        )
      ) : groups.loading ? (
        <p class="muted">Loading…</p>
      ) : null}
    </section>
  );
}

function GroupRows({
  group,
  filter,
  open,
  onToggle,
  onReplayed,
}: {
  group: DeadLetterGroup;
  filter: Filter;
  open: boolean;
  onToggle: () => void;
  onReplayed: (result: BulkReplay) => Promise<void>;
}) {
  const [dryRun, setDryRun] = useState<BulkReplay | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const selector = {
    errorCode: group.errorCode,
    routingKey: group.routingKey,
    // Letters recorded before the ledger kept the queue have none: their group is told apart by the rest only.
    queue: group.queue ?? undefined,
    from: filter.from,
    to: filter.to,
  };

  const run = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      return await api.post<BulkReplay>('/dead-letters/replay', { ...selector, ...body });
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const startDryRun = async () => setDryRun(await run({ dryRun: true, limit: REPLAY_LIMIT }));
  const replay = async () => {
    if (!dryRun) return;
    // No more than the dry run listed: the oldest first, so the same ones unless some were settled meanwhile.
    const result = await run({ dryRun: false, limit: Math.max(1, dryRun.count) });
    if (!result) return;
    setDryRun(undefined);
    await onReplayed(result);
  };

  return (
    <>
      <tr class={open ? 'row-open' : ''} data-group={`${group.errorCode} ${group.step ?? 'no step'}`}>
        <td>
          <strong>{group.errorCode}</strong>
        </td>
        <td>{group.step ?? <span class="muted">{group.queue ?? 'unknown'}</span>}</td>
        <td>
          <code>{group.routingKey}</code>
        </td>
        <td class="number">{group.count}</td>
        <td class="number">{group.replayable}</td>
        <td>
          <Time iso={group.firstDeadLetteredAt} />
        </td>
        <td>
          <Time iso={group.lastDeadLetteredAt} />
        </td>
        <td class="wrap">{group.lastErrorMessage}</td>
        <td class="actions">
          <button type="button" aria-expanded={open} onClick={onToggle}>
            {open ? 'Hide' : 'Show'}
          </button>
          {filter.status === 'pending' && group.replayable > 0 ? (
            <button type="button" disabled={busy} onClick={() => void startDryRun()}>
              Replay group…
            </button>
          ) : null}
        </td>
      </tr>
      {dryRun || error ? (
        <tr class="row-detail">
          <td colSpan={9}>
            <ProblemMessage error={error} />
            {dryRun ? (
              <div class="dry-run" role="region" aria-label="Dry run">
                <p>
                  <strong>Dry run:</strong> {dryRun.count} dead letter{dryRun.count === 1 ? '' : 's'} with{' '}
                  <code>{group.errorCode}</code> and routing key <code>{group.routingKey}</code>
                  {group.queue ? (
                    <>
                      {' '}
                      from <code>{group.queue}</code>
                    </>
                  ) : null}{' '}
                  would be replayed
                  {dryRun.count === REPLAY_LIMIT
                    ? ` (the oldest ${REPLAY_LIMIT}; replay again for the rest)`
                    : ''}
                  .
                  {group.count > dryRun.count && dryRun.count < REPLAY_LIMIT
                    ? ` ${group.count - dryRun.count} of this group cannot be replayed (their body is not JSON) or were settled meanwhile.`
                    : ''}
                  {dryRun.count > group.count
                    ? ' This includes letters of another step with the same routing key.'
                    : ''}
                </p>
                <ul class="id-list" aria-label="Would be replayed">
                  {dryRun.messageIds.slice(0, 20).map((id) => (
                    <li key={id}>
                      <a href={href('dead-letters', id)}>
                        <code>{id}</code>
                      </a>
                    </li>
                  ))}
                  {dryRun.messageIds.length > 20 ? (
                    <li class="muted">and {dryRun.messageIds.length - 20} more</li>
                  ) : null}
                </ul>
                <div class="actions">
                  <button
                    type="button"
                    class="button-primary"
                    disabled={busy || dryRun.count === 0}
                    onClick={() => void replay()}
                  >
                    Replay {dryRun.count} now
                  </button>
                  <button type="button" disabled={busy} onClick={() => setDryRun(undefined)}>
                    Cancel
                  </button>
                </div>
              </div>
            ) : null}
          </td>
        </tr>
      ) : null}
      {open ? (
        <tr class="row-detail">
          <td colSpan={9}>
            <GroupLetters group={group} filter={filter} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** The letters of a group, a page at a time (the list filters by error code, routing key and queue). */
function GroupLetters({ group, filter }: { group: DeadLetterGroup; filter: Filter }) {
  const [pages, setPages] = useState<DeadLetterSummary[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const first = useResource(async () => {
    const page = await api.get<Page<DeadLetterSummary>>('/dead-letters', {
      status: filter.status,
      errorCode: group.errorCode,
      routingKey: group.routingKey,
      queue: group.queue ?? undefined,
      from: filter.from,
      to: filter.to,
      limit: 50,
    });
    setPages([page.items]);
    setCursor(page.nextCursor);
    return page;
  }, [group.errorCode, group.routingKey, group.queue, filter.status, filter.from, filter.to]);
  const [error, setError] = useState<unknown>(undefined);

  const more = async () => {
    if (!cursor) return;
    try {
      const page = await api.get<Page<DeadLetterSummary>>('/dead-letters', {
        status: filter.status,
        errorCode: group.errorCode,
        routingKey: group.routingKey,
        queue: group.queue ?? undefined,
        from: filter.from,
        to: filter.to,
        limit: 50,
        cursor,
      });
      setPages([...pages, page.items]);
      setCursor(page.nextCursor);
    } catch (caught) {
      setError(caught);
    }
  };

  if (first.error) return <ProblemMessage error={first.error} />;
  if (!first.data) return <p class="muted">Loading…</p>;
  const letters = pages.flat();
  return (
    <div>
      <table aria-label={`Dead letters of ${group.errorCode}`}>
        <thead>
          <tr>
            <th>Message</th>
            <th>Status</th>
            <th>Dead-lettered</th>
            <th class="number">Attempts</th>
            <th class="number">Times</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {letters.map((letter) => (
            <tr key={letter.messageId}>
              <td>
                <a href={href('dead-letters', letter.messageId)}>
                  <code>{letter.messageId}</code>
                </a>
              </td>
              <td>
                <Badge status={letter.status} />
              </td>
              <td>
                <Time iso={letter.deadLetteredAt} />
              </td>
              <td class="number">{letter.attempts}</td>
              <td class="number">{letter.timesDeadLettered}</td>
              <td class="wrap">{letter.errorMessage}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ProblemMessage error={error} />
      {cursor ? (
        <button type="button" onClick={() => void more()}>
          Load more
        </button>
      ) : null}
    </div>
  );
}
