import type { AuditSnapshot, OnboardingAudit } from './onboarding-audit';

/**
 * The fault tests' verdict. Waits (up to `timeoutMs`) for the system to settle, then asserts, in one diff:
 * every user acknowledged with a 201 exists; no user is lost (neither onboarded nor dead-lettered) and, since
 * the faults injected are transient and retried, none is dead-lettered either; nothing happened twice (one
 * outbox row per user, one inbox row per message, one committed completion per user and per step); nothing
 * is left to deliver. On failure the message also carries `diagnostics()` (the apps' logs).
 */
export async function expectEveryUserOnboardedOnce(
  audit: OnboardingAudit,
  acknowledgedIds: string[],
  { timeoutMs = 60_000, diagnostics = () => '' }: { timeoutMs?: number; diagnostics?: () => string } = {},
): Promise<AuditSnapshot> {
  const snapshot = await audit.waitUntilSettled(timeoutMs);
  const anomalies = await audit.anomalies(acknowledgedIds);
  await withDiagnostics(diagnostics, async () => {
    expect(acknowledgedIds.length).toBeGreaterThan(0);
    expect({
      lost: snapshot.pending,
      deadLettered: snapshot.deadLettered,
      ...anomalies,
      unpublishedOutbox: snapshot.unpublishedOutbox,
      queued: snapshot.queued,
    }).toEqual({
      lost: [],
      deadLettered: [],
      acknowledgedButMissing: [],
      outboxRowsPerUser: [],
      inboxRowsPerMessage: [],
      strayInboxRows: [],
      steps: [],
      completions: [],
      unpublishedOutbox: 0,
      queued: Object.fromEntries(Object.keys(snapshot.queued).map((queue) => [queue, 0])),
    });
    expect(snapshot.completed).toBe(snapshot.users);
  });
  return snapshot;
}

/** Runs `assertions`; if they fail, appends `diagnostics()` to the failure message. */
export async function withDiagnostics(
  diagnostics: () => string,
  assertions: () => Promise<void>,
): Promise<void> {
  try {
    await assertions();
  } catch (error) {
    if (error instanceof Error) error.message += `\n\n${diagnostics()}`;
    throw error;
  }
}
