import { useState } from 'react';
import type { KioskSnapshot } from '../../../src/api/contract.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';

const REASONS = [
  ['wrong_case', '办件信息有误', 'Wrong case'],
  ['citizen_left', '群众已离开', 'Citizen left'],
  ['other', '其他原因', 'Other'],
] as const;

/**
 * The staff's way to withdraw an evaluation still waiting for its first star: a small corner
 * control on the rating screen, then one of the three reasons. The core refuses once a star was
 * chosen; the cancellation becomes a record with its reason and counts in the figures.
 */
export function StaffCancel({ snapshot }: { snapshot: KioskSnapshot }) {
  const [open, setOpen] = useState(false);
  const { run, busy, error, setError } = useCommand();
  const prompt = snapshot.prompt;
  if (!prompt || (snapshot.screen !== 'rating' && snapshot.screen !== 'chain_choice')) return null;

  const cancel = async (reason: (typeof REASONS)[number][0]) => {
    if (await run('cancelEvaluation', { evaluationId: prompt.evaluationId, reason })) setOpen(false);
  };

  if (!open)
    return (
      <button
        className="staff-cancel-open"
        data-testid="staff-cancel-open"
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
      >
        工作人员撤销 / Staff: cancel
      </button>
    );
  return (
    <div className="staff-cancel" role="dialog" aria-label="撤销评价" data-testid="staff-cancel">
      <h2>撤销本次评价 / Cancel this evaluation</h2>
      <p className="muted">
        请选择原因；撤销会记录并上报平台。/ Choose a reason; it is recorded and reported.
      </p>
      <div className="staff-cancel-reasons">
        {REASONS.map(([code, zh, en]) => (
          <button
            key={code}
            className="big-btn"
            data-testid={`staff-cancel-${code}`}
            disabled={busy}
            onClick={() => void cancel(code)}
          >
            {zh}
            <small>{en}</small>
          </button>
        ))}
      </div>
      <button className="mid-btn" data-testid="staff-cancel-back" onClick={() => setOpen(false)}>
        返回 / Back
      </button>
      <ErrorLine error={error} testId="staff-cancel-error" />
    </div>
  );
}
