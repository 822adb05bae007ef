import type { Channel } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';

/**
 * Runs `work` on a channel of its own, opened on the manager's current connection and closed afterwards. For
 * broker round trips that may fail a channel (a 404 or 406 closes it) and must never take the consumers' or the
 * publisher's channel down with them. Resolves to undefined, without calling `work`, when there is no connection.
 */
export async function withShortLivedChannel<T>(
  manager: AmqpConnectionManager,
  work: (channel: Channel) => Promise<T>,
): Promise<T | undefined> {
  const connection = manager.connection;
  if (!connection) return undefined;
  const channel = await connection.createChannel();
  // A channel-level error (404, 406) rejects the pending operation; the 'error' event must not crash the process.
  channel.on('error', () => undefined);
  try {
    return await work(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}
