import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { withShortLivedChannel } from '../connection/short-lived-channel';

/** How long one sampling of every queue may take before it reports what it has (a scrape must not hang). */
const SAMPLE_TIMEOUT_MS = 2_000;

/**
 * Messages ready in each named queue, as the broker reports them to a passive declaration (`checkQueue`; messages
 * delivered and not yet acked are not counted). A queue that does not exist (404 closes the channel) is left out
 * and the others are still sampled, on a new channel; with no connection, or past the timeout, the result holds
 * what was sampled so far.
 */
export async function sampleQueueDepths(
  manager: AmqpConnectionManager,
  queues: readonly string[],
  timeoutMs = SAMPLE_TIMEOUT_MS,
): Promise<Map<string, number>> {
  const depths = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  let remaining = [...queues];
  const sample = async (): Promise<void> => {
    while (remaining.length > 0 && Date.now() < deadline) {
      const before = remaining.length;
      await withShortLivedChannel(manager, async (channel) => {
        while (remaining.length > 0 && Date.now() < deadline) {
          const [queue] = remaining;
          remaining = remaining.slice(1);
          const { messageCount } = await channel.checkQueue(queue);
          depths.set(queue, messageCount);
        }
      }).catch(() => undefined); // a missing queue closed the channel: go on with the rest on a new one
      // No connection, or no channel to be had: nothing more to learn in this sampling.
      if (remaining.length === before) return;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([sample(), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return new Map(depths);
}
