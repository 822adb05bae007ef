import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture, startApi } from '../support/apps';
import { TestSmtpServer, verificationLinkOf } from '../support/smtp-server';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';
import { expectEveryUserOnboardedOnce, withDiagnostics } from './support/expect-onboarded-once';
import { compactOutputLine, FAULT_SETTINGS, warningsOf } from './support/fault-settings';
import { OnboardingAudit } from './support/onboarding-audit';
import { registerInProcess, SignupLoad } from './support/signup-load';
import { teardown } from './support/teardown';
import { WorkerProcesses } from './support/worker-processes';

/**
 * The worker, a real child process, mails through a real SMTP server that answers slowly, so that mails are on
 * their way when the worker is SIGKILLed (three times, restarted each time). The mail step sends with no
 * transaction held and records the send afterwards: a kill in between sends that mail again. What must hold:
 * every user got their mail at least once, every repeat is the same mail (same Message-ID, same link, so a
 * receiver can drop it), and every step completed exactly once.
 */
describe('fault: worker killed while it sends verification mail', () => {
  let env: TestEnvironment;
  let smtp: TestSmtpServer;
  let api: NestFastifyApplication;
  let audit: OnboardingAudit;
  const apiLogs = new LogCapture();
  let workers: WorkerProcesses;

  beforeAll(async () => {
    env = await createTestEnvironment();
    smtp = await TestSmtpServer.start();
    smtp.slowDown(150);
    const settings = {
      ...FAULT_SETTINGS,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Onboarding <onboarding@example.test>',
    };
    workers = new WorkerProcesses(() => env.variables(settings));
    const config = env.config(settings);
    audit = await OnboardingAudit.open(env, config);
    await workers.start();
    api = await startApi(config, { logs: apiLogs });
  });

  afterAll(async () => {
    await teardown(
      () => audit?.close(),
      () => api?.close(),
      ...workers.stopSteps(),
      () => smtp?.stop(),
      () => env?.cleanup(),
    );
  });

  it('when the worker is SIGKILLed three times while mails are on their way, then each user gets their mail at least once, repeats are the same mail, and every step completed once', async () => {
    const load = new SignupLoad(registerInProcess(api));
    // Kill it while it talks to the SMTP server: a mail accepted since the last look means more are coming.
    const exits = await workers.killAtWorkUnderLoad(load, {
      attempts: [12, 24, 36],
      progress: () => smtp.received.length,
      what: 'the worker to be sending mail',
      wave: { waves: 4, waveSize: 12, pauseMs: 300 },
    });

    expect(exits).toEqual(Array(3).fill({ code: null, signal: 'SIGKILL' }));
    const diagnostics = () =>
      [
        warningsOf('api', apiLogs),
        ...workers.all.map((worker) => worker.output(100, compactOutputLine)),
      ].join('\n');
    await expectEveryUserOnboardedOnce(audit, load.acknowledgedIds, { timeoutMs: 90_000, diagnostics });

    const users = await env.query<{ email: string }>('SELECT email FROM users WHERE id = ANY($1::uuid[])', [
      load.acknowledgedIds,
    ]);
    await withDiagnostics(diagnostics, async () => {
      const deliveries = users.map(({ email }) => {
        const mails = smtp.mailsTo(email);
        return {
          email,
          mails: mails.length,
          messageIds: new Set(mails.map((mail) => mail.messageId)).size,
          links: new Set(mails.map((mail) => verificationLinkOf(mail).url.toString())).size,
        };
      });
      // At least once; a repeat is the very same mail. (The kills do cause repeats: the scenario was exercised.)
      expect(deliveries.filter((delivery) => delivery.mails > 1).length).toBeGreaterThan(0);
      expect(deliveries.filter((delivery) => delivery.mails === 0)).toEqual([]);
      expect(deliveries.filter((delivery) => delivery.messageIds !== 1 || delivery.links !== 1)).toEqual([]);
    });
  }, 180_000);
});
