import { formatCountdown, isUrgent, secondsLeft } from '../lib/countdown.js';
import { useNow } from './hooks.js';

export function Countdown({ deadlineMs }: { deadlineMs: number }) {
  const now = useNow(250);
  const s = secondsLeft(deadlineMs, now);
  return (
    <div className={`countdown${isUrgent(s) ? ' urgent' : ''}`} data-testid="countdown" aria-live="off">
      <span className="countdown-num">{formatCountdown(s)}</span>
      <span className="countdown-unit">
        秒<small>sec left</small>
      </span>
    </div>
  );
}
