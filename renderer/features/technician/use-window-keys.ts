// A window-wide keydown handler that always sees the latest state (shortcuts work wherever focus is).
import { useEffect, useRef } from 'react';

export function useWindowKeys(handler: (e: KeyboardEvent) => void): void {
  const current = useRef(handler);
  useEffect(() => {
    current.current = handler;
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => current.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
}
