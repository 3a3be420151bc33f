import { useEffect, useState } from 'react';
import type { StaffCard } from '../../../src/api/contract.js';
import { Bi } from '../components/Bi.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';
import { PinDots } from '../components/PinDots.js';
import { PinKeypad, applyKey } from '../components/Keypad.js';
import { useKiosk } from '../store.js';

/**
 * What a touch on 工作人员 meets while someone is signed in: the signed-in member's PIN, every
 * time. Nothing of the panel (figures, cases, reviews, controls) is rendered behind it.
 */
export function PinGate({ staff }: { staff: StaffCard }) {
  const { run, busy, error } = useCommand();
  const [pin, setPin] = useState('');
  const setStaffUnlock = useKiosk((s) => s.setStaffUnlock);

  const submit = async () => {
    const out = await run('staffUnlock', { pin });
    setPin('');
    if (out) setStaffUnlock({ staffId: out.staff.staffId, lockAfterS: out.lockAfterS });
  };

  // A hardware keyboard (or a PIN pad in keyboard mode) works too; Enter submits.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (/^\d$/.test(e.key)) setPin((v) => applyKey(v, e.key, 12));
      else if (e.key === 'Backspace') setPin((v) => applyKey(v, 'back'));
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="signin" data-testid="staff-pin-gate">
      <div className="signin-fields">
        <h2>
          <Bi zh="请输入密码" en="Enter your PIN" />
        </h2>
        <p className="muted" data-testid="staff-pin-gate-who">
          {staff.name} · {staff.staffId}
        </p>
        <label className="field">
          <span className="field-label">密码 PIN</span>
          <PinDots pin={pin} testId="staff-unlock-pin" hint="请用右侧数字键输入" />
        </label>
        <button
          className="big-btn primary"
          data-testid="staff-unlock-submit"
          disabled={!/^\d{4,12}$/.test(pin) || busy}
          onClick={() => void submit()}
        >
          <Bi zh="打开" en="Open" />
        </button>
        <ErrorLine error={error} testId="staff-unlock-error" />
      </div>
      <div className="signin-pad">
        <PinKeypad prefix="pin-key" maxLength={12} onChange={setPin} />
      </div>
    </div>
  );
}
