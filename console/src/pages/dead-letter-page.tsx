import { api, segment } from '../api/client';
import type { DeadLetter } from '../api/types';
import { OccurrencesTable } from '../components/occurrences-table';
import { useAction } from '../components/use-action';
import { useResource } from '../components/use-resource';
import { Badge, ConfirmButton, Facts, Json, Notice, ProblemMessage, Time } from '../components/widgets';
import { UUID } from '../format';
import { href } from '../router';

const userOf = (letter: DeadLetter): string | undefined => {
  const userId = (letter.payload as { userId?: unknown } | null)?.userId;
  return typeof userId === 'string' && UUID.test(userId) ? userId : undefined;
};

/** One dead letter: why it failed, every occurrence, its headers and body; replay or discard it. */
export function DeadLetterPage({ messageId }: { messageId: string }) {
  const letter = useResource(() => api.get<DeadLetter>(`/dead-letters/${segment(messageId)}`), [messageId]);
  const outcome = useAction();

  const act = async (path: 'replay' | 'discard', done: string) => {
    await outcome.run(async () => {
      await api.post(`/dead-letters/${segment(messageId)}/${path}`);
      return done;
    });
    await letter.reload();
  };

  if (letter.error && !letter.data) return <ProblemMessage error={letter.error} />;
  if (!letter.data) return <p class="muted">Loading…</p>;
  const deadLetter = letter.data;
  const userId = userOf(deadLetter);
  const pending = deadLetter.status === 'pending';

  return (
    <section aria-labelledby="dead-letter-title">
      <header class="page-header">
        <div>
          <p class="breadcrumb">
            <a href={href('dead-letters')}>Dead letters</a> /
          </p>
          <h1 id="dead-letter-title">
            <code>{deadLetter.messageId}</code>
          </h1>
        </div>
        <div class="header-status">
          <span data-testid="dead-letter-status">
            <Badge status={deadLetter.status} />
          </span>
          {userId ? <a href={href('users', userId)}>The user&apos;s story</a> : null}
          {pending ? (
            <>
              <ConfirmButton
                label="Replay"
                confirmLabel="Replay now"
                question={
                  deadLetter.replayable ? 'Publish it again through the outbox?' : deadLetter.replayBlocker
                }
                disabled={!deadLetter.replayable}
                onConfirm={() => act('replay', 'Replayed through the outbox: the worker runs it again.')}
              />
              <ConfirmButton
                label="Discard"
                confirmLabel="Discard for good"
                question="Give up on it? It stays in the ledger, never replayed."
                danger
                onConfirm={() => act('discard', 'Discarded.')}
              />
            </>
          ) : null}
        </div>
      </header>
      {outcome.message ? <Notice>{outcome.message}</Notice> : null}
      <ProblemMessage error={outcome.error ?? letter.error} />
      <div class="card">
        <h2>
          {deadLetter.errorCode} <span class="muted small">{deadLetter.routingKey}</span>
        </h2>
        <p class="error-text">{deadLetter.errorMessage}</p>
        {deadLetter.replayBlocker ? (
          <p class="muted">Cannot be replayed: {deadLetter.replayBlocker}</p>
        ) : null}
        <Facts
          facts={[
            ['Type', deadLetter.type],
            ['Exchange', <code key="e">{deadLetter.exchange}</code>],
            ['Dead-lettered by', deadLetter.deadLetteredBy],
            ['Attempts', String(deadLetter.attempts)],
            ['Times dead-lettered', String(deadLetter.timesDeadLettered)],
            ['Replays', String(deadLetter.replayCount)],
            ['First failure', <Time key="f" iso={deadLetter.firstFailedAt} />],
            ['Last failure', <Time key="l" iso={deadLetter.lastFailedAt} />],
            ['Dead-lettered', <Time key="d" iso={deadLetter.deadLetteredAt} />],
            ['Replayed', <Time key="r" iso={deadLetter.replayedAt} />],
            ['Discarded', <Time key="x" iso={deadLetter.discardedAt} />],
            ['Request id', deadLetter.requestId ? <code key="q">{deadLetter.requestId}</code> : '–'],
          ]}
        />
        {deadLetter.storageNotes.length > 0 ? (
          <Notice>Stored with changes: {deadLetter.storageNotes.join('; ')}</Notice>
        ) : null}
        {deadLetter.errorStack ? (
          <details>
            <summary>Stack</summary>
            <Json value={deadLetter.errorStack} />
          </details>
        ) : null}
      </div>
      <div class="card">
        <h2>Occurrences</h2>
        <OccurrencesTable occurrences={deadLetter.occurrences} />
      </div>
      <div class="grid-2">
        <div class="card" role="region" aria-label="Body">
          <h2>Body</h2>
          <p class="muted small">{deadLetter.contentType ?? 'no content type'}</p>
          <Json value={deadLetter.payload ?? deadLetter.body} />
          <details>
            <summary>As received (base64)</summary>
            <Json value={deadLetter.bodyBase64} />
          </details>
        </div>
        <div class="card" role="region" aria-label="Message headers">
          <h2>Headers</h2>
          <table aria-label="Headers">
            <tbody>
              {Object.entries(deadLetter.headers).map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">
                    <code>{name}</code>
                  </th>
                  <td class="wrap">
                    <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
