import type { CitizenPrompt } from '../../../src/api/contract.js';
import { Bi } from '../components/Bi.js';
import { Countdown } from '../components/Countdown.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';

export function ChainChoice({ prompt }: { prompt: CitizenPrompt }) {
  const { run, error, busy } = useCommand();
  const choose = (mode: 'overall' | 'each') =>
    void run('chooseChainMode', { evaluationId: prompt.evaluationId, mode });
  return (
    <div className="screen chain-choice" data-testid="screen-chain-choice">
      <header className="prompt-header">
        <div>
          <h1 className="prompt-title">您好，请您对本次服务进行评价</h1>
          <div className="en prompt-en">
            You handled {prompt.items.length} linked items today — how would you like to rate them?
          </div>
        </div>
        <Countdown deadlineMs={prompt.deadlineMs} />
      </header>
      <div className="chain-items">
        <div className="item-sub">本次一链办理的 {prompt.items.length} 个事项：</div>
        <ol className="item-list numbered" data-testid="chain-items">
          {prompt.items.map((i) => (
            <li key={i.idx}>{i.taskName}</li>
          ))}
        </ol>
      </div>
      <div className="choice-row">
        <button
          className="big-btn primary"
          data-testid="chain-overall"
          disabled={busy}
          onClick={() => choose('overall')}
        >
          <Bi zh="整体评价" en="One rating for all" />
          <span className="hint">一次评价，适用于全部事项</span>
        </button>
        <button className="big-btn" data-testid="chain-each" disabled={busy} onClick={() => choose('each')}>
          <Bi zh="逐项评价" en="Rate each item" />
          <span className="hint">每个事项分别评价</span>
        </button>
      </div>
      <ErrorLine error={error} testId="chain-error" />
    </div>
  );
}
