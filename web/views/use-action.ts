/**
 * What a person starts from a view (a form sent, a button pressed), in one
 * place: `busy` while it runs, so that its controls are disabled and it is
 * not sent twice, and `error`, the message of its last failure, cleared when
 * the next try starts. The views that also load something keep their load's
 * failure in the same `error` (setError), so one alert shows either.
 */
import { useState } from "preact/hooks";

export interface Action {
  readonly busy: boolean;
  readonly error: string | null;
  setError(message: string | null): void;
  /** Runs `work` as this action: busy meanwhile, its failure's message kept as `error`. */
  run(work: () => Promise<unknown>): Promise<void>;
}

export function useAction(initialError: string | null = null): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(initialError);
  const run = async (work: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
