import type { CitizenPrompt } from '../../../src/api/contract.js';

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
          第 {pos + 1}/{items.length} 项{' '}
          <small>
            Item {pos + 1} of {items.length}
          </small>
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
          共 {items.length} 件，一次评价 <small>{items.length} cases, one rating</small>
        </div>
      </div>
    );
  }
  if (prompt.groupType === 'chain') {
    return (
      <div className="prompt-items" data-testid="prompt-items">
        <div className="item-sub">
          整体评价以下 {items.length} 个事项 <small>One rating for all {items.length} items</small>
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
