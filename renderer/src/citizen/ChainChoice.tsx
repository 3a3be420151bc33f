import type { CitizenPrompt } from '../../../src/api/contract.js';
import { Countdown } from '../components/Countdown.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { Msg } from '../components/Msg.js';
import { TapButton } from '../components/TapButton.js';
import { useCommand } from '../components/hooks.js';
import { useT } from '../i18n/index.js';
import { LanguageSwitch } from './LanguageSwitch.js';

export function ChainChoice({ prompt }: { prompt: CitizenPrompt }) {
  const { run, error, busy } = useCommand();
  const { t, sub } = useT();
  const n = prompt.items.length;
  const choose = (mode: 'overall' | 'each') =>
    void run('chooseChainMode', { evaluationId: prompt.evaluationId, mode });
  return (
    <div className="screen chain-choice" data-testid="screen-chain-choice">
      <header className="prompt-header">
        <div>
          <h1 className="prompt-title">{t('chain.title')}</h1>
          <div className="en prompt-en" lang={sub('chain.sub') ? 'en' : undefined}>
            {sub('chain.sub', { n }) ?? t('chain.sub', { n })}
          </div>
        </div>
        <Countdown deadlineMs={prompt.deadlineMs} />
      </header>
      <div className="chain-items">
        <div className="item-sub">{t('chain.items', { n })}</div>
        <ol className="item-list numbered" data-testid="chain-items">
          {prompt.items.map((i) => (
            <li key={i.idx}>{i.taskName}</li>
          ))}
        </ol>
      </div>
      <div className="choice-row">
        <TapButton
          className="big-btn primary"
          data-testid="chain-overall"
          disabled={busy}
          onTap={() => choose('overall')}
        >
          <Msg k="chain.overall" />
          <span className="hint">{t('chain.overallHint')}</span>
        </TapButton>
        <TapButton className="big-btn" data-testid="chain-each" disabled={busy} onTap={() => choose('each')}>
          <Msg k="chain.each" />
          <span className="hint">{t('chain.eachHint')}</span>
        </TapButton>
      </div>
      <LanguageSwitch />
      <ErrorLine error={error} testId="chain-error" />
    </div>
  );
}
