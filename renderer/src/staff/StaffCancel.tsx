import { useState } from 'react';
import type { KioskSnapshot } from '../../../src/api/contract.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';
import { PinDots } from '../components/PinDots.js';
import { PinKeypad } from '../components/Keypad.js';

const REASONS = [
  ['wrong_case', '办件信息有误', 'Wrong case'],
  ['citizen_left', '群众已离开', 'Citizen left'],
  ['other', '其他原因', 'Other'],
] as const;

type Reason = (typeof REASONS)[number][0];

/**
 * The staff's way to withdraw an evaluation still waiting for its first star: a small corner
 * control on the rating screen, one of the three reasons, then the signed-in member's PIN (the
 * control is on the citizen's screen, and a cancel counts against the member). The core refuses
 * once a star was chosen; the cancellation becomes a record with its reason and counts in the
 * figures.
 */
export function StaffCancel({ snapshot }: { snapshot: KioskSnapshot }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<Reason | null>(null);
  const [pin, setPin] = useState('');
  const { run, busy, error, setError } = useCommand();
  const prompt = snapshot.prompt;
  if (!prompt || (snapshot.screen !== 'rating' && snapshot.screen !== 'chain_choice')) return null;

  const close = () => {
    setOpen(false);
    setReason(null);
    setPin('');
  };
  const cancel = async (chosen: Reason) => {
    const done = await run('cancelEvaluation', { evaluationId: prompt.evaluationId, reason: chosen, pin });
    setPin('');
    if (done) close();
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
  if (reason !== null) {
    const label = REASONS.find(([code]) => code === reason);
    return (
      <div className="staff-cancel" role="dialog" aria-label="撤销评价" data-testid="staff-cancel-pin">
        <h2>请输入您的密码 / Enter your PIN</h2>
        <p className="muted">
          撤销原因：{label?.[1]} / {label?.[2]}
        </p>
        <PinDots pin={pin} testId="staff-cancel-pin-dots" hint="请用数字键输入" />
        <PinKeypad prefix="cancel-pin-key" maxLength={12} onChange={setPin} />
        <div className="row-between">
          <button className="mid-btn" data-testid="staff-cancel-back" onClick={() => setReason(null)}>
            返回 / Back
          </button>
          <button
            className="big-btn primary"
            data-testid="staff-cancel-confirm"
            disabled={!/^\d{4,12}$/.test(pin) || busy}
            onClick={() => void cancel(reason)}
          >
            确认撤销 / Cancel it
          </button>
        </div>
        <ErrorLine error={error} testId="staff-cancel-error" />
      </div>
    );
  }
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
            onClick={() => {
              setError(null);
              setReason(code);
            }}
          >
            {zh}
            <small>{en}</small>
          </button>
        ))}
      </div>
      <button className="mid-btn" data-testid="staff-cancel-back" onClick={close}>
        返回 / Back
      </button>
    </div>
  );
}
