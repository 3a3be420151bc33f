import { useState } from 'react';
import type { CitizenPrompt } from '../../../src/api/contract.js';
import { Countdown } from '../components/Countdown.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { TapButton } from '../components/TapButton.js';
import { useCommand } from '../components/hooks.js';
import { useT, type MessageKey } from '../i18n/index.js';
import { useKiosk } from '../store.js';
import { LanguageSwitch } from './LanguageSwitch.js';
import { PromptItems } from './PromptItems.js';

export function Stars({ n, of = 5 }: { n: number; of?: number }) {
  const { t } = useT();
  return (
    <span className="stars" role="img" aria-label={t('star.count', { n })}>
      {Array.from({ length: of }, (_, i) => (
        <span key={i} className={i < n ? 'on' : 'off'} aria-hidden="true">
          ★
        </span>
      ))}
    </span>
  );
}

export const starKey = (n: number) => `star.${n}` as MessageKey;

export function Rating({ prompt }: { prompt: CitizenPrompt }) {
  const { run, error } = useCommand();
  const { t, sub } = useT();
  // The first input wins: a touch here, or a star key on the board, whichever the pad saw first.
  // (CitizenScreen keys this component by step, so its state starts afresh for every item.)
  const [touched, setTouched] = useState<number | null>(null);
  const lastKey = useKiosk((s) => s.lastKey);
  const [openedAt] = useState(() => Date.now());
  const keyWon = lastKey && lastKey.key <= 5 && lastKey.atMs >= openedAt ? lastKey.key : null;
  const won: { star: number; by: 'touch' | 'key' } | null =
    touched !== null ? { star: touched, by: 'touch' } : keyWon !== null ? { star: keyWon, by: 'key' } : null;

  const rate = async (satisfaction: number) => {
    if (won) return;
    setTouched(satisfaction);
    const out = await run('rate', { evaluationId: prompt.evaluationId, satisfaction });
    if (!out || out.state === 'ignored') setTouched(null);
  };

  return (
    <div className="screen rating" data-testid="screen-rating">
      <header className="prompt-header">
        <div>
          <h1 className="prompt-title">{t('rating.title')}</h1>
          {sub('rating.title') && (
            <div className="en prompt-en" lang="en">
              {sub('rating.title')}
            </div>
          )}
        </div>
        <Countdown deadlineMs={prompt.deadlineMs} />
      </header>
      <PromptItems prompt={prompt} />
      <div className="star-row" role="group" aria-label={t('rating.stars')}>
        {[5, 4, 3, 2, 1].map((n) => {
          const mine = won?.star === n;
          return (
            <TapButton
              key={n}
              className={`star-btn star-${n}${n <= 2 ? ' bad' : ' good'}${mine ? ' taken' : ''}${won && !mine ? ' dimmed' : ''}`}
              data-testid={`star-${n}`}
              data-taken-by={mine ? won.by : undefined}
              aria-label={`${t(starKey(n))}, ${t('star.count', { n })}`}
              disabled={won !== null}
              onTap={() => void rate(n)}
            >
              <Stars n={n} />
              <span className="star-zh">{t(starKey(n))}</span>
              {sub(starKey(n)) && (
                <span className="star-en" lang="en">
                  {sub(starKey(n))}
                </span>
              )}
              {mine && (
                <span className="taken-mark" data-testid="star-taken">
                  ✓ {t(won.by === 'key' ? 'rating.keyTaken' : 'rating.touchTaken')}
                </span>
              )}
            </TapButton>
          );
        })}
      </div>
      <LanguageSwitch />
      <ErrorLine error={error} testId="rating-error" />
    </div>
  );
}
