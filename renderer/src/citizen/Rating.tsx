import { useState } from 'react';
import type { CitizenPrompt } from '../../../src/api/contract.js';
import { Countdown } from '../components/Countdown.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';
import { STAR_WORDS } from '../lib/format.js';
import { PromptItems } from './PromptItems.js';

export function Stars({ n, of = 5 }: { n: number; of?: number }) {
  return (
    <span className="stars" aria-label={`${n} 星`}>
      {Array.from({ length: of }, (_, i) => (
        <span key={i} className={i < n ? 'on' : 'off'}>
          ★
        </span>
      ))}
    </span>
  );
}

export function Rating({ prompt }: { prompt: CitizenPrompt }) {
  const { run, error } = useCommand();
  // Only the first touch counts: after it the buttons stay down until the next step arrives.
  const stepKey = `${prompt.evaluationId}#${prompt.currentIdx}`;
  const [sentFor, setSentFor] = useState<string | null>(null);
  const sent = sentFor === stepKey;

  const rate = async (satisfaction: number) => {
    if (sent) return;
    setSentFor(stepKey);
    const out = await run('rate', { evaluationId: prompt.evaluationId, satisfaction });
    if (!out || out.state === 'ignored') setSentFor(null);
  };

  return (
    <div className="screen rating" data-testid="screen-rating">
      <header className="prompt-header">
        <div>
          <h1 className="prompt-title">您好，请您对本次服务进行评价</h1>
          <div className="en prompt-en">Please rate the service you received</div>
        </div>
        <Countdown deadlineMs={prompt.deadlineMs} />
      </header>
      <PromptItems prompt={prompt} />
      <div className="star-row" role="group" aria-label="评价等级">
        {[5, 4, 3, 2, 1].map((n) => {
          const w = STAR_WORDS[n] ?? { zh: '', en: '' };
          return (
            <button
              key={n}
              className={`star-btn star-${n}${n <= 2 ? ' bad' : ' good'}`}
              data-testid={`star-${n}`}
              disabled={sent}
              onClick={() => void rate(n)}
            >
              <Stars n={n} />
              <span className="star-zh">{w.zh}</span>
              <span className="star-en">{w.en}</span>
            </button>
          );
        })}
      </div>
      <ErrorLine error={error} testId="rating-error" />
    </div>
  );
}
