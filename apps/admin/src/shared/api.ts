import { useEffect, useState, type DependencyList } from 'react';
import { useDataProvider, useNotify } from 'react-admin';
import type { CustomCalls } from '../api/data-provider';

/** react-admin's data provider with our API's calls beyond lists and records. */
export type Api = CustomCalls & ReturnType<typeof useDataProvider>;

export const useApi = (): Api => useDataProvider<Api>();

/**
 * What `read` answers, read again whenever `deps` change (`read` answers undefined while there is
 * nothing to read). The last answer stays while the next loads; one for deps that moved on since
 * is dropped. A failure is `error`, or goes to `onError` when the page reports it otherwise.
 */
export function useApiData<T>(
  read: (api: Api) => Promise<T> | undefined,
  deps: DependencyList,
  onError?: (message: string) => void,
): { data: T | null; error: string | null } {
  const api = useApi();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    read(api)
      ?.then((answer) => {
        if (!live) return;
        setData(answer);
        setError(null);
      })
      .catch((e: Error) => {
        if (!live) return;
        if (onError) onError(e.message);
        else setError(e.message);
      });
    return () => {
      live = false;
    };
    // `read` and `onError` are new functions each render: `deps` alone say when to read again.
  }, [api, ...deps]);
  return { data, error };
}

/** Runs a form's action: `busy` while it runs (to disable the button), a failure as an error notification. */
export function useAction(): { busy: boolean; run: (action: () => Promise<void>) => Promise<void> } {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}
