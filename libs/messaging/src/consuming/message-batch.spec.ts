import { MessageBatcher } from './message-batch';
import type { RmqDelivery } from './rmq-delivery';

const delivery = (tag: number) => ({ tag }) as unknown as RmqDelivery;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('MessageBatcher', () => {
  it('when deliveries arrive in one turn of the event loop, then they are flushed together in the next', async () => {
    const flushed: RmqDelivery[][] = [];
    const batcher = new MessageBatcher(10, 4, async (batch) => void flushed.push(batch));
    batcher.add(delivery(1));
    batcher.add(delivery(2));
    batcher.add(delivery(3));
    expect(flushed).toEqual([]);
    await nextTurn();
    expect(flushed).toEqual([[delivery(1), delivery(2), delivery(3)]]);
  });

  it('when a lone delivery arrives, then it is flushed alone without waiting for more', async () => {
    const flushed: RmqDelivery[][] = [];
    const batcher = new MessageBatcher(10, 4, async (batch) => void flushed.push(batch));
    batcher.add(delivery(1));
    await nextTurn();
    batcher.add(delivery(2));
    await nextTurn();
    expect(flushed).toEqual([[delivery(1)], [delivery(2)]]);
  });

  it('when more deliveries arrive than the batch takes, then full batches go at once and the rest next turn', async () => {
    const flushed: RmqDelivery[][] = [];
    const batcher = new MessageBatcher(2, 4, async (batch) => void flushed.push(batch));
    for (const tag of [1, 2, 3, 4, 5]) batcher.add(delivery(tag));
    expect(flushed).toEqual([
      [delivery(1), delivery(2)],
      [delivery(3), delivery(4)],
    ]);
    await nextTurn();
    expect(flushed).toHaveLength(3);
    expect(flushed[2]).toEqual([delivery(5)]);
  });

  it('when every slot is taken, then deliveries wait for the next free slot and go together, up to the batch size', async () => {
    const flushed: RmqDelivery[][] = [];
    const finish: (() => void)[] = [];
    const batcher = new MessageBatcher(3, 1, (batch) => {
      flushed.push(batch);
      return new Promise<void>((resolve) => finish.push(resolve));
    });
    batcher.add(delivery(1));
    await nextTurn();
    for (const tag of [2, 3, 4, 5]) batcher.add(delivery(tag));
    await nextTurn();
    expect(flushed).toEqual([[delivery(1)]]);

    finish[0]();
    await nextTurn();
    expect(flushed).toEqual([[delivery(1)], [delivery(2), delivery(3), delivery(4)]]);

    finish[1]();
    await nextTurn();
    expect(flushed[2]).toEqual([delivery(5)]);
  });

  it('when a batch fails, then its slot frees all the same', async () => {
    const flushed: RmqDelivery[][] = [];
    const batcher = new MessageBatcher(10, 1, async (batch) => {
      flushed.push(batch);
      throw new Error('handler broke');
    });
    batcher.add(delivery(1));
    await nextTurn();
    batcher.add(delivery(2));
    await nextTurn();
    await nextTurn();
    expect(flushed).toEqual([[delivery(1)], [delivery(2)]]);
  });
});
