import type { ButtonHTMLAttributes, PointerEvent, ReactNode } from 'react';
import { touchGuard } from '../lib/touch-guard.js';

declare global {
  // e2e tests read the guard's verdicts
  var __hcpTouchGuard: { recent: readonly string[] } | undefined;
}
globalThis.__hcpTouchGuard = touchGuard;
if (typeof window !== 'undefined') touchGuard.install(window);

type Props = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onClick'> & {
  onTap: () => void;
  children: ReactNode;
};

/**
 * A citizen-side button that acts on a guarded tap (touch-guard.ts) instead of on `click`, so a
 * ghost touch, a palm or a double-fire never becomes a second press.
 */
export function TapButton({ onTap, children, disabled, ...rest }: Props) {
  const fire = () => {
    if (!disabled) onTap();
  };
  return (
    <button
      type="button"
      {...rest}
      disabled={disabled}
      onPointerUp={(e: PointerEvent) => {
        if (touchGuard.verdictFor(e.pointerId) === 'tap') fire();
      }}
      onClick={(e) => {
        // Pointer taps were decided on pointerup; a click with detail 0 is the keyboard or a
        // screen reader activating the button.
        if (e.detail === 0 && touchGuard.key() === 'tap') fire();
      }}
    >
      {children}
    </button>
  );
}
