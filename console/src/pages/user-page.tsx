import { api, segment } from '../api/client';
import type { DeadLetter, StepRetry, StepUnit, Timeline, User } from '../api/types';
import { OccurrencesTable } from '../components/occurrences-table';
import { useAction } from '../components/use-action';
import { usePolling, useResource } from '../components/use-resource';
import { Badge, ConfirmButton, Facts, Json, Notice, ProblemMessage, Time } from '../components/widgets';
import { href } from '../router';

interface Story {
  user: User;
  timeline: Timeline;
  /** Each of the user's dead letters in full: headers aside, its occurrences. */
  deadLetters: DeadLetter[];
}

/** While onboarding is under way, the page asks again this often (and stops once nothing is pending). */
const POLL_MS = 1000;
const POLL_LIMIT = 180;

const loadStory = async (userId: string): Promise<Story> => {
  const [user, timeline] = await Promise.all([
    api.get<User>(`/users/${segment(userId)}`),
    api.get<Timeline>(`/users/${segment(userId)}/onboarding`),
  ]);
  const deadLetters = await Promise.all(
    timeline.deadLetters.map((letter) => api.get<DeadLetter>(`/dead-letters/${segment(letter.messageId)}`)),
  );
  return { user, timeline, deadLetters };
};

/** How a unit is told apart from the step's others: its reason or event, else its key. */
const unitLabel = (unit: StepUnit): string => {
  if (unit.unit === '') return unit.required ? 'required' : '';
  const { reason, event } = unit.detail;
  return typeof reason === 'string' ? reason : typeof event === 'string' ? event : unit.unit;
};

/** For a webhook delivery unit: its place in the endpoint's delivery log (`#/webhooks/<endpoint>/<delivery>`). */
const deliveryLink = (unit: StepUnit): string | undefined => {
  const { endpointId, deliveryId } = unit.detail;
  if (typeof endpointId !== 'string') return undefined;
  return typeof deliveryId === 'string'
    ? href('webhooks', endpointId, deliveryId)
    : href('webhooks', endpointId);
};

/**
 * A user's whole story on one page: the user, every unit of every onboarding step (status, attempts, last error,
 * times, message, detail), the user's dead letters with every occurrence, and a retry for each failed step.
 */
export function UserPage({ userId }: { userId: string }) {
  const story = useResource(() => loadStory(userId), [userId]);
  const outcome = useAction();

  const underWay =
    story.data !== undefined &&
    (story.data.timeline.onboardingStatus === 'pending' ||
      story.data.timeline.steps.some((unit) => unit.status === 'pending'));
  const restartPolling = usePolling(story, underWay, { intervalMs: POLL_MS, limit: POLL_LIMIT });

  const act = async (action: () => Promise<string>) => {
    if (await outcome.run(action)) restartPolling();
    await story.reload();
  };

  const retry = (step: string) =>
    act(async () => {
      const result = await api.post<StepRetry>(
        `/users/${segment(userId)}/onboarding/steps/${segment(step)}/retry`,
      );
      return `${step}: ${result.retried.length} unit(s) retried, pending again.`;
    });
  const replay = (messageId: string) =>
    act(async () => {
      await api.post(`/dead-letters/${segment(messageId)}/replay`);
      return `Dead letter ${messageId} replayed through the outbox.`;
    });

  if (story.error && !story.data) return <ProblemMessage error={story.error} />;
  if (!story.data) return <p class="muted">Loading…</p>;
  const { user, timeline, deadLetters } = story.data;
  // A failed unit is retried as a step (its dead letter replayed and the unit pending again in one go); only a dead
  // letter that no failed unit stands for gets a replay of its own here.
  const retriedAsStep = new Set(
    timeline.steps.filter((unit) => unit.status === 'failed').map((unit) => unit.messageId),
  );

  return (
    <section aria-labelledby="user-title">
      <header class="page-header">
        <div>
          <p class="breadcrumb">
            <a href={href('users')}>Users</a> /
          </p>
          <h1 id="user-title">{user.email}</h1>
        </div>
        <div class="header-status">
          <span class="muted">Onboarding</span>
          <span data-testid="onboarding-status">
            <Badge status={timeline.onboardingStatus} />
          </span>
          {underWay ? <span class="muted small">updating…</span> : null}
          <button type="button" onClick={() => void story.reload()}>
            Refresh
          </button>
        </div>
      </header>
      {outcome.message ? <Notice>{outcome.message}</Notice> : null}
      <ProblemMessage error={outcome.error ?? story.error} />
      <div class="card">
        <Facts
          facts={[
            ['Id', <code key="id">{user.id}</code>],
            ['Name', [user.firstName, user.lastName].filter(Boolean).join(' ') || '–'],
            ['Status', <Badge key="status" status={user.status} />],
            ['Registered', <Time key="created" iso={user.createdAt} />],
            [
              'Verified',
              user.emailVerifiedAt ? (
                <span key="verified">
                  <Time iso={user.emailVerifiedAt} /> ({user.verificationMethod})
                </span>
              ) : (
                'not yet'
              ),
            ],
            ['Erased', <Time key="erased" iso={user.erasedAt} empty="no" />],
          ]}
        />
      </div>

      <div class="card">
        <h2>Onboarding steps</h2>
        {timeline.steps.length === 0 ? (
          <p class="muted">
            No step has run yet: the registration&apos;s event may still be on its way to the worker.
          </p>
        ) : (
          <ol class="timeline" aria-label="Onboarding steps">
            {timeline.steps.map((unit) => (
              <li
                key={`${unit.step}/${unit.unit}`}
                class={`timeline-item timeline-${unit.status}`}
                data-step={unit.step}
              >
                <div class="timeline-head">
                  <strong>{unit.step}</strong>
                  {unitLabel(unit) ? <span class="muted small">{unitLabel(unit)}</span> : null}
                  <Badge status={unit.status} />
                  <span class="muted small">
                    {unit.attempts} attempt{unit.attempts === 1 ? '' : 's'}
                  </span>
                  {unit.status === 'failed' ? (
                    <ConfirmButton
                      label={`Retry ${unit.step}`}
                      confirmLabel="Retry now"
                      question="Replay its dead letter (repair the cause first)?"
                      onConfirm={() => retry(unit.step)}
                    />
                  ) : null}
                </div>
                {deliveryLink(unit) ? (
                  <p class="small">
                    <a href={deliveryLink(unit)}>Its delivery in the endpoint&apos;s log</a>
                    {typeof unit.detail.url === 'string' ? (
                      <span class="muted"> ({unit.detail.url})</span>
                    ) : null}
                  </p>
                ) : null}
                {unit.lastError ? <p class="error-text">{unit.lastError}</p> : null}
                {unit.skippedReason ? <p class="muted">Skipped: {unit.skippedReason}</p> : null}
                <Facts
                  facts={[
                    ['Scheduled', <Time key="c" iso={unit.createdAt} />],
                    ['Started', <Time key="s" iso={unit.startedAt} />],
                    ['Completed', <Time key="d" iso={unit.completedAt} />],
                    ['Dead-lettered', <Time key="x" iso={unit.deadLetteredAt} />],
                    [
                      'Message',
                      unit.messageId ? (
                        <a
                          key="m"
                          href={href('dead-letters', unit.messageId)}
                          title="Its dead letter, if it has one"
                        >
                          <code>{unit.messageId}</code>
                        </a>
                      ) : (
                        '–'
                      ),
                    ],
                  ]}
                />
                {Object.keys(unit.detail).length > 0 ? <Json value={unit.detail} /> : null}
              </li>
            ))}
          </ol>
        )}
      </div>

      <div class="card">
        <h2>Dead letters</h2>
        {deadLetters.length === 0 ? (
          <p class="muted">None of this user&apos;s messages was dead-lettered.</p>
        ) : (
          deadLetters.map((letter) => (
            <article
              key={letter.messageId}
              class="dead-letter"
              aria-label={`Dead letter ${letter.messageId}`}
            >
              <div class="timeline-head">
                <a href={href('dead-letters', letter.messageId)}>
                  <code>{letter.messageId}</code>
                </a>
                <Badge status={letter.status} />
                <strong>{letter.errorCode}</strong>
                <span class="muted small">{letter.routingKey}</span>
                {letter.status === 'pending' && retriedAsStep.has(letter.messageId) ? (
                  <span class="muted small">retry its step above</span>
                ) : letter.status === 'pending' && letter.replayable ? (
                  <ConfirmButton
                    label="Replay"
                    confirmLabel="Replay now"
                    question="Publish it again through the outbox?"
                    onConfirm={() => replay(letter.messageId)}
                  />
                ) : null}
              </div>
              <p class="error-text">{letter.errorMessage}</p>
              <OccurrencesTable occurrences={letter.occurrences} />
            </article>
          ))
        )}
      </div>
    </section>
  );
}
