/**
 * Which key chords the pad's window swallows before Chromium sees them (`before-input-event`).
 * With no application menu there are no menu accelerators left, but Chromium itself still
 * reloads, zooms, prints and opens DevTools on these keys; a passer-by with a USB keyboard (or a
 * barcode scanner sending control codes) must get none of it. Kept free of Electron imports so
 * a plain test can read every rule.
 */

/** The fields of Electron's `Input` this filter reads. */
export interface KeyInput {
  type: string;
  key: string;
  code?: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
}

export type BlockedReason = 'reload' | 'devtools' | 'close' | 'zoom' | 'print' | 'navigate' | 'browser';

/**
 * The reason a chord is swallowed, or null to let it through (letters, digits and the keys a
 * scanner or the on-screen flow needs). `allowDevTools` is true only for an unpackaged app
 * outside kiosk mode (a developer's desk).
 */
export function blockedInput(input: KeyInput, allowDevTools: boolean): BlockedReason | null {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return null;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  const mod = input.control || input.meta;
  const devtools =
    key === 'F12' ||
    (mod && input.shift && ['i', 'j', 'c'].includes(key)) ||
    (input.meta && input.alt && key === 'i');
  if (devtools) return allowDevTools ? null : 'devtools';
  if (key === 'F5' || (mod && key === 'r') || key === 'BrowserRefresh') return 'reload';
  if ((mod && ['w', 'q'].includes(key)) || (input.alt && key === 'F4') || (mod && key === 'F4'))
    return 'close';
  if (mod && ['+', '=', '-', '_', '0'].includes(key)) return 'zoom';
  if (mod && (input.code === 'NumpadAdd' || input.code === 'NumpadSubtract' || input.code === 'Numpad0'))
    return 'zoom';
  if (mod && key === 'p') return 'print';
  if (
    (input.alt && (key === 'ArrowLeft' || key === 'ArrowRight')) ||
    key === 'BrowserBack' ||
    key === 'BrowserForward'
  )
    return 'navigate';
  // Address bar, open, save, view source, new window/tab, find; fullscreen toggle, caret browsing.
  if (mod && ['l', 'o', 's', 'u', 'n', 't', 'f', 'g', 'h'].includes(key)) return 'browser';
  if (key === 'F11' || key === 'F3' || key === 'F6' || key === 'F7') return 'browser';
  return null;
}
