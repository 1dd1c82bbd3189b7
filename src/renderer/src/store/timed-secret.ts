// A revealed value held only by the component that asked for it, and cleared after `seconds`.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EntryValue } from '../../../shared/model.js';

export function useTimedSecret(seconds: number) {
  const [secret, setSecret] = useState<{ value: EntryValue; until: number } | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const hide = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    setSecret(null);
  }, []);
  const show = useCallback(
    (value: EntryValue) => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setSecret(null), seconds * 1000);
      setSecret({ value, until: Date.now() + seconds * 1000 });
      setNow(Date.now());
    },
    [seconds],
  );
  useEffect(() => {
    if (!secret) return;
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, [secret]);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  const left = secret ? Math.max(0, Math.ceil((secret.until - now) / 1000)) : 0;
  return { secret: secret?.value ?? null, left, show, hide };
}

