import { useEffect } from 'react';
import { invoke, lockStaffPanel } from '../store.js';

/** How often a touched panel tells the core it is in use (the core's lock timer restarts). */
const TOUCH_REPORT_MS = 10_000;

/**
 * The staff panel locks itself after `lockAfterS` untouched: any touch, click or key inside the
 * page counts. The core keeps its own timer (refreshed by commands and these touch reports),
 * so a renderer that stops running cannot keep the panel open.
 */
export function useStaffAutoLock(unlocked: boolean, lockAfterS: number): void {
  useEffect(() => {
    if (!unlocked) return;
    let lastTouch = Date.now();
    let lastReport = lastTouch;
    const onTouch = () => {
      lastTouch = Date.now();
      if (lastTouch - lastReport >= TOUCH_REPORT_MS) {
        lastReport = lastTouch;
        invoke('staffTouch', {}).then(
          (r) => {
            if (!r.open) lockStaffPanel();
          },
          () => undefined,
        );
      }
    };
    const check = setInterval(() => {
      if (Date.now() - lastTouch >= lockAfterS * 1000) lockStaffPanel();
    }, 1000);
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
    for (const e of events) window.addEventListener(e, onTouch, true);
    return () => {
      clearInterval(check);
      for (const e of events) window.removeEventListener(e, onTouch, true);
    };
  }, [unlocked, lockAfterS]);
}
