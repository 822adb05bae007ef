import { InboxRepository } from '@app/onboarding';
import { User } from '@app/users';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestEnvironment, TestEnvironment } from '../support/test-environment';

const HANDLER = 'provision-account';

/**
 * The inbox claim and the users' locks of a step's transaction, in one statement each, against the real
 * PostgreSQL: what is claimed, which users come back (as entities) and are locked, and what a missing user or a
 * message claimed before gives.
 */
describe('inbox claims with the users locked', () => {
  let env: TestEnvironment;
  let dataSource: DataSource;
  const inbox = new InboxRepository();

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataSource = await new DataSource({
      type: 'postgres',
      url: env.databaseUrl,
      entities: [User],
      extra: { max: 3 },
    }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await env?.cleanup();
  });

  async function insertUser(): Promise<string> {
    const id = randomUUID();
    await env.query(
      `INSERT INTO users (id, email, password_hash, first_name, last_name, status, onboarding_status)
       VALUES ($1, $2, 'x', 'Ada', 'Lovelace', 'pending_verification', 'pending')`,
      [id, `${id}@example.com`],
    );
    return id;
  }

  /** Whether another transaction finds the user's row locked (FOR NO KEY UPDATE NOWAIT fails at once). */
  async function isLockedElsewhere(userId: string): Promise<boolean> {
    try {
      await dataSource.transaction((manager) =>
        manager.query('SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE NOWAIT', [userId]),
      );
      return false;
    } catch {
      return true;
    }
  }

  it('when new messages are claimed, then each is claimed once, and their users come back as entities, locked until the transaction ends', async () => {
    const [first, second] = [await insertUser(), await insertUser()];
    const messages = [
      { messageId: randomUUID(), userId: second },
      { messageId: randomUUID(), userId: first },
    ];

    const lockedDuring = await dataSource.transaction(async (manager) => {
      const { claimed, users } = await inbox.claimManyLockingUsers(manager, messages, HANDLER);
      expect(claimed).toEqual(new Set(messages.map((message) => message.messageId)));
      expect([...users.keys()].sort()).toEqual([first, second].sort());
      const user = users.get(first)!;
      expect(user).toBeInstanceOf(User);
      expect(user).toMatchObject({
        id: first,
        email: `${first}@example.com`,
        status: 'pending_verification',
      });
      expect(user.createdAt).toBeInstanceOf(Date);
      return [await isLockedElsewhere(first), await isLockedElsewhere(second)];
    });

    expect(lockedDuring).toEqual([true, true]);
    expect(await isLockedElsewhere(first)).toBe(false);
    const again = await dataSource.transaction((manager) =>
      inbox.claimManyLockingUsers(manager, messages, HANDLER),
    );
    expect(again).toEqual({ claimed: new Set(), users: new Map() });
  });

  it('when some messages were claimed before, then only the others are claimed and only their users locked', async () => {
    const [before, now] = [await insertUser(), await insertUser()];
    const earlier = { messageId: randomUUID(), userId: before };
    const fresh = { messageId: randomUUID(), userId: now };
    await dataSource.transaction((manager) => inbox.claimMany(manager, [earlier.messageId], HANDLER));

    const { claimed, users, lockedDuring } = await dataSource.transaction(async (manager) => ({
      ...(await inbox.claimManyLockingUsers(manager, [earlier, fresh], HANDLER)),
      lockedDuring: [await isLockedElsewhere(before), await isLockedElsewhere(now)],
    }));

    expect(claimed).toEqual(new Set([fresh.messageId]));
    expect([...users.keys()]).toEqual([now]);
    expect(lockedDuring).toEqual([false, true]);
  });

  it('when a claimed message’s user does not exist, then the message is claimed and the user is missing from the answer', async () => {
    const message = { messageId: randomUUID(), userId: randomUUID() };

    const { claimed, users } = await dataSource.transaction((manager) =>
      inbox.claimManyLockingUsers(manager, [message], HANDLER),
    );

    expect(claimed).toEqual(new Set([message.messageId]));
    expect(users.size).toBe(0);
  });

  it('when checking without claiming, then the messages claimed before are named, the users of the others are locked, and nothing is claimed', async () => {
    const [before, now] = [await insertUser(), await insertUser()];
    const earlier = { messageId: randomUUID(), userId: before };
    const pending = { messageId: randomUUID(), userId: now };
    const missing = { messageId: randomUUID(), userId: randomUUID() };
    await dataSource.transaction((manager) => inbox.claimMany(manager, [earlier.messageId], HANDLER));

    const { claimed, users, lockedDuring } = await dataSource.transaction(async (manager) => ({
      ...(await inbox.claimedAmongLockingUsers(manager, [earlier, pending, missing], HANDLER)),
      lockedDuring: [await isLockedElsewhere(before), await isLockedElsewhere(now)],
    }));

    expect(claimed).toEqual(new Set([earlier.messageId]));
    expect([...users.keys()]).toEqual([now]);
    expect(users.get(now)).toBeInstanceOf(User);
    expect(lockedDuring).toEqual([false, true]);
    const claims = await env.query<{ message_id: string }>(
      'SELECT message_id FROM inbox_messages WHERE message_id = ANY($1::text[])',
      [[pending.messageId, missing.messageId]],
    );
    expect(claims).toEqual([]);
  });

  it('when there is nothing to claim, then nothing is claimed and no statement is sent', async () => {
    const sent: unknown[] = [];
    const claimed = await dataSource.transaction(async (manager) => {
      const query = manager.query.bind(manager);
      manager.query = (...args: Parameters<typeof query>) => {
        sent.push(args[0]);
        return query(...args);
      };
      return inbox.claimMany(manager, [], HANDLER);
    });

    expect(claimed).toEqual(new Set());
    expect(sent).toEqual([]);
  });
});
