import { useState } from 'react';
import type { StaffOverview } from '../../../src/api/contract.js';
import { Stars } from '../citizen/Rating.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';
import { APPEAL_STATE_WORDS } from '../lib/format.js';

export function BadReviews({
  overview,
  onChanged,
}: {
  overview: StaffOverview | null;
  onChanged: () => void;
}) {
  const [open, setOpen] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<{ recordId: string; deadline: string | null } | null>(null);
  const { run, busy, error, setError } = useCommand();

  if (!overview) return <div className="muted pad">正在读取… / loading…</div>;
  if (overview.badReviews.length === 0)
    return (
      <div className="empty" data-testid="bad-reviews-empty">
        暂无差评 / No bad reviews
      </div>
    );

  const submit = async (recordId: string) => {
    const out = await run('fileAppeal', { recordId, reason: reason.trim() });
    if (!out) return;
    setDone({ recordId, deadline: out.deadline });
    setOpen(null);
    setReason('');
    onChanged();
  };

  return (
    <div className="list" data-testid="bad-reviews">
      {done && (
        <div className="ok-line" data-testid="appeal-done" role="status">
          申诉已提交 / Appeal filed（{done.recordId}）
          {done.deadline
            ? ` · 申诉期限 ${done.deadline}`
            : ' · 申诉期限由平台判定 / the platform decides the deadline'}
        </div>
      )}
      {overview.badReviews.map((b) => (
        <div key={b.recordId} className="list-row bad-review" data-testid={`bad-review-${b.recordId}`}>
          <div className="row-main">
            <div className="row-title">
              {b.taskName} <span className="muted">{b.projectNo}</span>
            </div>
            <div className="row-sub">
              <Stars n={b.satisfaction} /> · {b.assessTime}
              {b.evalDetail.length > 0 && <> · 原因 {b.evalDetail.join('、')}</>}
            </div>
            <div className="row-sub">
              申诉期限：{b.appealDeadline ?? '由平台判定 / decided by the platform'} ·{' '}
              <b
                className={`appeal-state appeal-${b.appealState}`}
                data-testid={`appeal-state-${b.recordId}`}
              >
                {APPEAL_STATE_WORDS[b.appealState] ?? b.appealState}
              </b>
            </div>
          </div>
          {(b.appealState === 'open' || b.appealState === 'unknown_calendar') && open !== b.recordId && (
            <button
              className="mid-btn primary"
              data-testid={`appeal-open-${b.recordId}`}
              onClick={() => {
                setOpen(b.recordId);
                setReason('');
                setError(null);
              }}
            >
              申诉
            </button>
          )}
          {open === b.recordId && (
            <div className="appeal-form" data-testid="appeal-form">
              <label className="field-label" htmlFor="appeal-reason">
                申诉理由（至少 5 个字）/ Reason (min. 5 characters)
              </label>
              <textarea
                id="appeal-reason"
                className="text-area"
                data-testid="appeal-reason"
                maxLength={500}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
              <div className="action-row left">
                <button
                  className="mid-btn primary"
                  data-testid="appeal-submit"
                  disabled={busy || reason.trim().length < 5}
                  onClick={() => void submit(b.recordId)}
                >
                  提交申诉
                </button>
                <button className="mid-btn" data-testid="appeal-cancel" onClick={() => setOpen(null)}>
                  取消
                </button>
              </div>
              <ErrorLine error={error} testId="appeal-error" />
            </div>
          )}
        </div>
      ))}
    </div>
  );
}
