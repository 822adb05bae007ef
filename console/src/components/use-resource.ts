import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again; the data shown stays until the new answer arrives. */
  reload: () => Promise<void>;
}

/** Loads `load()` when `keys` change; an answer to an older request never replaces a newer one. */
export function useResource<T>(load: () => Promise<T>, keys: unknown[]): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const result = await loader.current();
      if (mine !== generation.current) return;
      setData(result);
      setError(undefined);
    } catch (caught) {
      if (mine === generation.current) setError(caught);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setData(undefined);
    void reload();
    return () => {
      generation.current++;
    };
    // The caller names what the load depends on, as with useEffect.
  }, keys);

  return { data, error, loading, reload };
}

/**
 * Loads `resource` again every `intervalMs` while `active` (something is under way), `limit` times at most.
 * @returns a function that starts the count afresh (after an action that set something under way)
 */
export function usePolling(
  resource: Resource<unknown>,
  active: boolean,
  { intervalMs, limit }: { intervalMs: number; limit: number },
): () => void {
  const [polls, setPolls] = useState(0);
  useEffect(() => {
    if (!active || resource.loading || polls >= limit) return;
    const timer = setTimeout(() => {
      setPolls((count) => count + 1);
      void resource.reload();
    }, intervalMs);
    return () => clearTimeout(timer);
  }, [active, resource.loading, polls]);
  return () => setPolls(0);
}
