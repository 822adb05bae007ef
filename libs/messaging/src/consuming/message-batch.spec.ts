import { MessageBatcher } from './message-batch';
import type { RmqDelivery } from './rmq-delivery';

const delivery = (tag: number) => ({ tag }) as unknown as RmqDelivery;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('MessageBatcher', () => {
  it('when deliveries arrive in one turn of the event loop, then they are flushed together in the next', async () => {
    const flushed: RmqDelivery[][] = [];
    const batcher = new MessageBatcher(10, (batch) => flushed.push(batch));
    batcher.add(delivery(1));
    batcher.add(delivery(2));
    batcher.add(delivery(3));
    expect(flushed).toEqual([]);
    await nextTurn();
    expect(flushed).toEqual([[delivery(1), delivery(2), delivery(3)]]);
  });

  it('when a lone delivery arrives, then it is flushed alone without waiting for more', async () => {
    const flushed: RmqDelivery[][] = [];
    const batcher = new MessageBatcher(10, (batch) => flushed.push(batch));
    batcher.add(delivery(1));
    await nextTurn();
    batcher.add(delivery(2));
    await nextTurn();
    expect(flushed).toEqual([[delivery(1)], [delivery(2)]]);
  });

  it('when more deliveries arrive than the batch takes, then full batches go at once and the rest next turn', async () => {
    const flushed: RmqDelivery[][] = [];
    const batcher = new MessageBatcher(2, (batch) => flushed.push(batch));
    for (const tag of [1, 2, 3, 4, 5]) batcher.add(delivery(tag));
    expect(flushed).toEqual([
      [delivery(1), delivery(2)],
      [delivery(3), delivery(4)],
    ]);
    await nextTurn();
    expect(flushed).toHaveLength(3);
    expect(flushed[2]).toEqual([delivery(5)]);
  });
});
