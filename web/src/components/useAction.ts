// A change a screen runs (pause, disable, redeliver...): its refusal is
// kept to show, and the state is read again either way, since a refused
// change may mean it changed meanwhile.
import { useState } from 'preact/hooks';
import type { ApiError } from '../api/client';

export function useAction(reload: () => void) {
  const [error, setError] = useState<ApiError | null>(null);
  // Whether it was done.
  const run = async (call: () => Promise<unknown>): Promise<boolean> => {
    let done = false;
    try {
      await call();
      setError(null);
      done = true;
    } catch (e) {
      setError(e as ApiError);
    }
    reload();
    return done;
  };
  return { error, run };
}
