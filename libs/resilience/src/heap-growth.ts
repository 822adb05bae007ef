import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far the heap may grow past its live set before V8 collects it again: 1 + percent / 100 times what
 * survived the last full collection. V8's own factor reaches 4 under a high allocation rate, so a replica whose
 * live set is ~50 MiB peaks near 300 MiB of RSS under load and is sized (and OOM-killed) by that peak. At 50 % the
 * same load peaks under 180 MiB, for more frequent (smaller) full collections. It is a factor, not a ceiling:
 * a growing live set still gets room, and the heap's size limit is V8's as before.
 *
 * The flag is read at every full collection, so setting it at start-up, before the heap has grown, is enough.
 * Node does not accept it in NODE_OPTIONS, hence the environment variable (HEAP_GROWING_PERCENT).
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
