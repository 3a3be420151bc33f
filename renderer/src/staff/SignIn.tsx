import { useState } from 'react';
import { Bi } from '../components/Bi.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';
import { PinDots } from '../components/PinDots.js';
import { Keypad, PinKeypad, applyKey, type KeyDef } from '../components/Keypad.js';
import { lockStaffPanel, useKiosk } from '../store.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const ID_ROWS: KeyDef[][] = [
  '1234567890'.split('').map((c) => ({ id: c, label: c })),
  LETTERS.slice(0, 10).map((c) => ({ id: c, label: c })),
  LETTERS.slice(10, 19).map((c) => ({ id: c, label: c })),
  [...LETTERS.slice(19).map((c) => ({ id: c, label: c })), { id: 'back', label: '⌫', wide: true }],
];

export function SignIn({ badgeError }: { badgeError: { code: string | null; message: string } | null }) {
  const { run, busy, error } = useCommand();
  const badge = useCommand();
  const [staffId, setStaffId] = useState('');
  const [pin, setPin] = useState('');
  const [idKeyboard, setIdKeyboard] = useState(false);
  const [badgeCode, setBadgeCode] = useState('');

  const setStaffUnlock = useKiosk((s) => s.setStaffUnlock);
  const submit = async () => {
    const out = await run('staffSignIn', { staffId: staffId.trim(), pin });
    if (!out) setPin('');
    // The PIN was just typed: the panel opens (a badge sign-in leaves it locked).
    else if (useKiosk.getState().panel === 'staff')
      setStaffUnlock({ staffId: out.staff.staffId, lockAfterS: out.lockAfterS });
    else lockStaffPanel(); // closed while the answer was on its way: keep it locked
  };
  const submitBadge = async () => {
    if (!badgeCode.trim()) return;
    await badge.run('staffBadge', { code: badgeCode.trim() });
    setBadgeCode('');
  };
  const canSubmit = staffId.trim().length > 0 && /^\d{4,12}$/.test(pin) && !busy;
  const shown = error ?? badge.error ?? badgeError;

  return (
    <div className="signin" data-testid="staff-signin">
      <div className="signin-fields">
        <h2>
          <Bi zh="工作人员签到" en="Staff sign-in" />
        </h2>
        <label className="field">
          <span className="field-label">工号 Staff No.</span>
          <div className="field-with-btn">
            <input
              className="text-input"
              data-testid="staff-signin-id"
              value={staffId}
              autoComplete="off"
              spellCheck={false}
              maxLength={32}
              onChange={(e) => setStaffId(e.target.value.toUpperCase())}
            />
            <button
              type="button"
              className={`small-btn${idKeyboard ? ' on' : ''}`}
              data-testid="staff-signin-id-kbd"
              onClick={() => setIdKeyboard((v) => !v)}
            >
              ⌨ 键盘
            </button>
          </div>
        </label>
        {idKeyboard && (
          <Keypad rows={ID_ROWS} prefix="id-key" onKey={(k) => setStaffId((v) => applyKey(v, k, 32))} />
        )}
        <label className="field">
          <span className="field-label">密码 PIN</span>
          <PinDots pin={pin} testId="staff-signin-pin" hint="请用右侧数字键输入" />
        </label>
        <button
          className="big-btn primary"
          data-testid="staff-signin-submit"
          disabled={!canSubmit}
          onClick={() => void submit()}
        >
          <Bi zh="签到" en="Sign in" />
        </button>
        <ErrorLine error={shown} testId="staff-signin-error" />
        <form
          className="badge-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submitBadge();
          }}
        >
          <span className="field-label">或扫描工作证 / or scan your badge</span>
          <input
            className="text-input"
            data-testid="staff-badge-input"
            value={badgeCode}
            autoComplete="off"
            spellCheck={false}
            placeholder="HCP-STAFF:…"
            onChange={(e) => setBadgeCode(e.target.value)}
          />
        </form>
      </div>
      <div className="signin-pad">
        <PinKeypad prefix="pin-key" maxLength={12} onChange={setPin} />
      </div>
    </div>
  );
}
