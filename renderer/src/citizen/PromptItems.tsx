import type { CitizenPrompt } from '../../../src/api/contract.js';
import { Msg } from '../components/Msg.js';

/** Which item(s) are being rated: one, a batch, a whole chain, or the current item of a chain. */
export function PromptItems({ prompt }: { prompt: CitizenPrompt }) {
  const { items } = prompt;
  if (prompt.groupType === 'chain' && prompt.chainMode === 'each') {
    const pos = Math.max(
      0,
      items.findIndex((i) => i.idx === prompt.currentIdx),
    );
    const item = items[pos] ?? items[0];
    return (
      <div className="prompt-items" data-testid="prompt-items">
        <div className="step-of" data-testid="chain-step">
          <Msg k="items.step" vars={{ n: pos + 1, total: items.length }} />
        </div>
        <div className="item-name current" data-testid="current-item">
          {item?.taskName}
        </div>
      </div>
    );
  }
  if (prompt.groupType === 'batch') {
    const first = items[0];
    return (
      <div className="prompt-items" data-testid="prompt-items">
        <div className="item-name">{first?.taskName}</div>
        <div className="item-sub">
          <Msg k="items.batch" vars={{ n: items.length }} />
        </div>
      </div>
    );
  }
  if (prompt.groupType === 'chain') {
    return (
      <div className="prompt-items" data-testid="prompt-items">
        <div className="item-sub">
          <Msg k="items.chain" vars={{ n: items.length }} />
        </div>
        <ul className="item-list">
          {items.map((i) => (
            <li key={i.idx}>{i.taskName}</li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <div className="prompt-items" data-testid="prompt-items">
      <div className="item-name">{items[0]?.taskName}</div>
    </div>
  );
}
