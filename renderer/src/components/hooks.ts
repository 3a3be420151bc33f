import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommandName, CommandParams, CommandResult } from '../../../src/api/contract.js';
import { errorCode, errorText, invoke } from '../store.js';

/** A command with its busy flag and last error, for buttons that show both. */
export function useCommand() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string | null; message: string } | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(
    async <K extends CommandName>(
      method: K,
      params: CommandParams<K>,
    ): Promise<CommandResult<K> | undefined> => {
      setBusy(true);
      setError(null);
      try {
        return await invoke(method, params);
      } catch (err) {
        if (mounted.current) setError({ code: errorCode(err), message: errorText(err) });
        return undefined;
      } finally {
        if (mounted.current) setBusy(false);
      }
    },
    [],
  );
  return { busy, error, setError, run };
}

/** The renderer clock, re-read every `intervalMs`. */
export function useNow(intervalMs = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}
