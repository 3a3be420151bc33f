import { useState } from 'react';
import { useT } from '../i18n/index.js';
import { formatCountdown, isUrgent, secondsLeft } from '../lib/countdown.js';
import { useNow } from './hooks.js';

/**
 * Seconds left in the step, with a bar that drains (seen from a distance, read by nobody), urgent
 * red in the last seconds.
 */
export function Countdown({ deadlineMs, urgentBelowS }: { deadlineMs: number; urgentBelowS?: number }) {
  const { t, sub } = useT();
  const now = useNow(250);
  // The step's length as first seen: the bar starts full whenever the screen opens.
  const [span] = useState(() => Math.max(1, deadlineMs - Date.now()));
  const s = secondsLeft(deadlineMs, now);
  const urgent = urgentBelowS !== undefined ? s <= urgentBelowS : isUrgent(s);
  const fraction = Math.min(1, Math.max(0, (deadlineMs - now) / span));
  const unitSub = sub('countdown.unit');
  return (
    <div
      className={`countdown${urgent ? ' urgent' : ''}`}
      data-testid="countdown"
      role="timer"
      aria-live="off"
      aria-label={t('countdown.left', { s })}
    >
      <span className="countdown-num">{formatCountdown(s)}</span>
      <span className="countdown-unit">
        {t('countdown.unit')}
        {unitSub && <small lang="en">{unitSub}</small>}
      </span>
      <span className="countdown-bar" aria-hidden="true">
        <span className="countdown-fill" style={{ transform: `scaleX(${fraction.toFixed(3)})` }} />
      </span>
    </div>
  );
}
