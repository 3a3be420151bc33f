import { useEffect, useRef } from 'react';
import type { KioskSnapshot } from '../../../src/api/contract.js';
import { speak } from '../lib/speech.js';
import { invoke, useKiosk } from '../store.js';

/** Voice: the greeting once per new evaluation, the thanks once per thanks screen. */
export function useVoicePrompts(snapshot: KioskSnapshot | null): void {
  const last = useRef<{ evaluationId: string | null; screen: string | null }>({
    evaluationId: null,
    screen: null,
  });
  useEffect(() => {
    if (!snapshot) return;
    const id = snapshot.prompt?.evaluationId ?? null;
    if (id && id !== last.current.evaluationId) speak('您好，请您对本次服务进行评价');
    if (snapshot.screen === 'thanks' && last.current.screen !== 'thanks') speak('感谢您的评价');
    last.current = { evaluationId: id ?? last.current.evaluationId, screen: snapshot.screen };
  }, [snapshot]);
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
