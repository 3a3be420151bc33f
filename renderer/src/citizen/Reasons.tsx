import { useState } from 'react';
import type { CitizenPrompt } from '../../../src/api/contract.js';
import { Bi } from '../components/Bi.js';
import { Countdown } from '../components/Countdown.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';
import { STAR_WORDS } from '../lib/format.js';
import { PromptItems } from './PromptItems.js';
import { Stars } from './Rating.js';

export function Reasons({ prompt }: { prompt: CitizenPrompt }) {
  const { run, error, busy } = useCommand();
  const stepKey = `${prompt.evaluationId}#${prompt.currentIdx}`;
  const [picked, setPicked] = useState<{ key: string; codes: string[] }>({ key: stepKey, codes: [] });
  const codes = picked.key === stepKey ? picked.codes : [];
  const required = prompt.reasonsRequired;
  const chosen = prompt.chosen ?? 0;
  const words = STAR_WORDS[chosen];

  const toggle = (code: string) => {
    setPicked({
      key: stepKey,
      codes: codes.includes(code) ? codes.filter((c) => c !== code) : [...codes, code],
    });
  };
  const submit = (list: string[]) =>
    void run('submitReasons', { evaluationId: prompt.evaluationId, codes: list });

  return (
    <div className={`screen reasons${required ? ' required' : ' optional'}`} data-testid="screen-reasons">
      <header className="prompt-header">
        <div>
          {required ? (
            <>
              <h1 className="prompt-title">请选择不满意的原因（至少一项）</h1>
              <div className="en prompt-en">Please choose at least one reason</div>
            </>
          ) : (
            <>
              <h1 className="prompt-title">感谢您的好评！可选择满意之处（可选）</h1>
              <div className="en prompt-en">Optional: tell us what went well, or skip</div>
            </>
          )}
        </div>
        <Countdown deadlineMs={prompt.deadlineMs} />
      </header>
      <div className="chosen-line" data-testid="reasons-chosen">
        <span>您的评价：</span>
        <Stars n={chosen} />
        <span className="chosen-words">{words?.zh}</span>
      </div>
      {prompt.groupType === 'chain' && prompt.chainMode === 'each' && <PromptItems prompt={prompt} />}
      <div className="chips" role="group" aria-label="原因">
        {prompt.indicators.map((i) => {
          const on = codes.includes(i.code);
          return (
            <button
              key={i.code}
              className={`chip${on ? ' on' : ''}`}
              aria-pressed={on}
              data-testid={`reason-${i.code}`}
              onClick={() => toggle(i.code)}
            >
              <span className="chip-box" aria-hidden="true">
                {on ? '✓' : ''}
              </span>
              {i.name}
            </button>
          );
        })}
      </div>
      <div className="action-row">
        {!required && (
          <button className="big-btn" data-testid="reasons-skip" disabled={busy} onClick={() => submit([])}>
            <Bi zh="跳过" en="Skip" />
          </button>
        )}
        <button
          className="big-btn primary"
          data-testid="reasons-submit"
          disabled={busy || (required && codes.length === 0)}
          onClick={() => submit(codes)}
        >
          <Bi zh="提交" en="Submit" />
        </button>
      </div>
      <ErrorLine error={error} testId="reasons-error" />
    </div>
  );
}
