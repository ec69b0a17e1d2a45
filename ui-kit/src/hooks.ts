// Data hooks that keep the UI honest about state: loading, ready, error, and stale (the last
// good data is still shown, marked with its age, while a refresh fails).
import { useCallback, useEffect, useRef, useState } from 'react';

export type Resource<T> =
  | { readonly status: 'loading'; readonly data: undefined; readonly error: undefined; readonly stale: false; readonly updatedAt: undefined }
  | { readonly status: 'ready'; readonly data: T; readonly error: unknown; readonly stale: boolean; readonly updatedAt: number }
  | { readonly status: 'error'; readonly data: undefined; readonly error: unknown; readonly stale: false; readonly updatedAt: undefined };

export interface ResourceHandle<T> {
  readonly resource: Resource<T>;
  readonly reload: () => void;
}

const LOADING = { status: 'loading', data: undefined, error: undefined, stale: false, updatedAt: undefined } as const;

/**
 * Loads `load` now, again when `deps` change, and every `refreshMs` when given. A failed refresh
 * keeps the previous data and marks it stale instead of blanking the screen.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[], refreshMs?: number): ResourceHandle<T> {
  const [resource, setResource] = useState<Resource<T>>(LOADING);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    setResource(LOADING);
    const run = async () => {
      try {
        const data = await loadRef.current(controller.signal);
        if (!cancelled) setResource({ status: 'ready', data, error: undefined, stale: false, updatedAt: Date.now() });
      } catch (error) {
        if (cancelled) return;
        setResource((previous) =>
          previous.status === 'ready'
            ? { ...previous, error, stale: true }
            : { status: 'error', data: undefined, error, stale: false, updatedAt: undefined },
        );
      }
      if (!cancelled && refreshMs) timer = setTimeout(() => void run(), refreshMs);
    };
    void run();
    return () => {
      cancelled = true;
      controller.abort();
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names what the load depends on
  }, [...deps, generation, refreshMs]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { resource, reload };
}

/** The current time, ticking every `intervalMs` (countdowns, "updated 5 s ago"). */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export type ActionState<T> =
  | { readonly status: 'idle' }
  | { readonly status: 'running' }
  | { readonly status: 'done'; readonly result: T }
  | { readonly status: 'failed'; readonly error: unknown };

/** A user action (a form submit): running/done/failed, never two at once. */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>): [ActionState<T>, (...args: A) => Promise<T | undefined>, () => void] {
  const [state, setState] = useState<ActionState<T>>({ status: 'idle' });
  const running = useRef(false);
  const actionRef = useRef(action);
  actionRef.current = action;
  const run = useCallback(async (...args: A) => {
    if (running.current) return undefined;
    running.current = true;
    setState({ status: 'running' });
    try {
      const result = await actionRef.current(...args);
      setState({ status: 'done', result });
      return result;
    } catch (error) {
      setState({ status: 'failed', error });
      return undefined;
    } finally {
      running.current = false;
    }
  }, []);
  const reset = useCallback(() => setState({ status: 'idle' }), []);
  return [state, run, reset];
}
