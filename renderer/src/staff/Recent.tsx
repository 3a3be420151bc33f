import { useState } from 'react';
import type { StaffOverview } from '../../../src/api/contract.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';
import { EVAL_STATE_WORDS } from '../lib/format.js';

export function Recent({ overview, onChanged }: { overview: StaffOverview | null; onChanged: () => void }) {
  const { run, busy, error } = useCommand();
  const [msg, setMsg] = useState<string | null>(null);
  if (!overview) return <div className="muted pad">正在读取… / loading…</div>;
  if (overview.recent.length === 0)
    return (
      <div className="empty" data-testid="recent-empty">
        暂无评价记录 / Nothing yet
      </div>
    );

  const print = async (id: string) => {
    setMsg(null);
    const out = await run('printReceipt', { evaluationId: id });
    if (out) {
      setMsg(out.copy ? '已补打回执 / copy printed' : '已打印回执 / receipt printed');
      onChanged();
    }
  };

  return (
    <div className="list" data-testid="recent">
      {msg && (
        <div className="ok-line" data-testid="recent-msg" role="status">
          {msg}
        </div>
      )}
      <ErrorLine error={error} testId="recent-error" />
      {overview.recent.map((r) => (
        <div key={r.evaluationId} className="list-row" data-testid={`recent-${r.evaluationId}`}>
          <div className="row-main">
            <div className="row-title">{[...new Set(r.taskNames)].join('、')}</div>
            <div className="row-sub">
              {r.projectNos.join('、')} · {r.startedTime} ·{' '}
              <b className={`eval-state eval-${r.state}`}>{EVAL_STATE_WORDS[r.state] ?? r.state}</b>
              {r.receiptPrints > 0 && <> · 已打印 {r.receiptPrints} 次</>}
            </div>
          </div>
          <button
            className="mid-btn"
            data-testid={`recent-print-${r.evaluationId}`}
            disabled={busy}
            onClick={() => void print(r.evaluationId)}
          >
            {r.receiptPrints > 0 ? '补打回执' : '打印回执'}
          </button>
        </div>
      ))}
    </div>
  );
}
