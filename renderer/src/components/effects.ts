import { useEffect } from 'react';
import { invoke, useKiosk } from '../store.js';

/** Any touch or key counts as activity: the attract screen waits for the pad to be left alone. */
export function useActivity(): void {
  useEffect(() => {
    const note = () => useKiosk.getState().noteActivity();
    window.addEventListener('pointerdown', note, true);
    window.addEventListener('keydown', note, true);
    return () => {
      window.removeEventListener('pointerdown', note, true);
      window.removeEventListener('keydown', note, true);
    };
  }, []);
}

/**
 * Developer convenience in the browser shell: with the simulated board, keys 1–5 press its star
 * keys (the board path, not touch), so the whole flow runs without hardware. Never in Electron.
 */
export function useDevKeys(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const st = useKiosk.getState();
      if (st.transportKind !== 'browser' || !st.snapshot?.hardware.boardSimulated || st.panel !== 'none')
        return;
      if (e.ctrlKey || e.altKey || e.metaKey || e.repeat) return;
      const t = e.target as HTMLElement | null;
      if (
        t &&
        (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)
      )
        return;
      if (!/^[1-5]$/.test(e.key)) return;
      e.preventDefault();
      invoke('simulatePress', { key: Number(e.key) }).catch(() => undefined);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
