import { useCallback, useEffect, useState } from 'react';
import type { KioskSnapshot, StaffOverview } from '../../../src/api/contract.js';
import { Bi } from '../components/Bi.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { Notices } from '../components/Notices.js';
import { useCommand } from '../components/hooks.js';
import { WedgeDetector } from '../lib/wedge.js';
import { WINDOW_STATE_WORDS } from '../lib/format.js';
import { errorCode, errorText, invoke, useKiosk } from '../store.js';
import { PinGate } from './PinGate.js';
import { useStaffAutoLock } from './auto-lock.js';
import { BadReviews } from './BadReviews.js';
import { Overview } from './Overview.js';
import { Recent } from './Recent.js';
import { SignIn } from './SignIn.js';
import { StartEvaluation } from './StartEvaluation.js';

type Tab = 'overview' | 'start' | 'bad' | 'recent';
const BADGE_PREFIX = 'HCP-STAFF:';

export function StaffPanel({ snapshot }: { snapshot: KioskSnapshot }) {
  const setPanel = useKiosk((s) => s.setPanel);
  const staff = snapshot.staff;
  const unlock = useKiosk((s) => s.staffUnlock);
  const unlocked = staff !== null && unlock?.staffId === staff.staffId;
  useStaffAutoLock(unlocked, unlock?.lockAfterS ?? 60);
  const [tab, setTab] = useState<Tab>('overview');
  // Tagged with whose it is, so a sign-in of someone else never shows the previous figures.
  const [loaded, setLoaded] = useState<{ staffId: string; data: StaffOverview } | null>(null);
  const [overviewError, setOverviewError] = useState<{ code: string | null; message: string } | null>(null);
  const [signInKey, setSignInKey] = useState(0);
  const [badgeError, setBadgeError] = useState<{ code: string | null; message: string } | null>(null);
  const [scanned, setScanned] = useState<{ code: string; seq: number } | null>(null);
  const winCmd = useCommand();

  const reload = useCallback(async () => {
    try {
      const data = await invoke('staffOverview', {});
      setLoaded({ staffId: data.staff.staffId, data });
      setOverviewError(null);
    } catch (err) {
      setOverviewError({ code: errorCode(err), message: errorText(err) });
    }
  }, []);

  // Nothing behind the PIN is fetched before it was typed.
  const staffId = unlocked ? (staff?.staffId ?? null) : null;
  const signedIn = staff?.staffId ?? null;
  const overview = loaded && loaded.staffId === staffId ? loaded.data : null;
  useEffect(() => {
    if (!staffId) return;
    const t = setTimeout(() => void reload(), 0);
    return () => clearTimeout(t);
  }, [staffId, reload]);

  // A wedge scanner's burst anywhere while the panel is open (focus may be on nothing at all): a
  // badge signs in, anything else is a case number. Window capture so the Enter of a scan never
  // reaches a focused field's own Enter handling.
  useEffect(() => {
    const detector = new WedgeDetector();
    const onKey = (e: globalThis.KeyboardEvent) => {
      const out = detector.feed(e.key, e.timeStamp);
      if (out.kind !== 'burst') return;
      e.preventDefault();
      e.stopPropagation();
      const code = out.code.trim();
      if (!signedIn || code.startsWith(BADGE_PREFIX)) {
        setBadgeError(null);
        setSignInKey((k) => k + 1);
        invoke('staffBadge', { code }).catch((err: unknown) =>
          setBadgeError({ code: errorCode(err), message: errorText(err) }),
        );
        return;
      }
      if (!staffId) return; // a case number scanned at the PIN pad: nothing to start it in yet
      setTab('start');
      setScanned({ code, seq: Date.now() });
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [staffId, signedIn]);

  const paused = snapshot.windowState === 'paused';
  const stateWords = WINDOW_STATE_WORDS[snapshot.windowState] ?? { zh: snapshot.windowState, en: '' };

  return (
    <div className="panel staff-panel" data-testid="staff-panel">
      <header className="panel-header">
        <div className="panel-title">
          <Bi zh="工作人员" en="Staff" />
          {staff && (
            <span className="panel-who" data-testid="staff-panel-who">
              {staff.name} · {staff.staffId} · {snapshot.windowNo} 号窗口
            </span>
          )}
        </div>
        <div className="panel-actions">
          {staff && unlocked && (
            <>
              <span
                className={`state-pill small state-${snapshot.windowState}`}
                data-testid="staff-window-state"
              >
                {stateWords.zh}
              </span>
              {paused ? (
                <button
                  className="mid-btn primary"
                  data-testid="window-resume"
                  disabled={winCmd.busy}
                  onClick={() => void winCmd.run('setWindowState', { state: 'on_duty' })}
                >
                  恢复服务
                </button>
              ) : (
                <button
                  className="mid-btn warn"
                  data-testid="window-pause"
                  disabled={winCmd.busy}
                  onClick={() => void winCmd.run('setWindowState', { state: 'paused' })}
                >
                  暂停服务
                </button>
              )}
              <button
                className="mid-btn"
                data-testid="staff-signout"
                disabled={winCmd.busy}
                onClick={() => void winCmd.run('staffSignOut', {})}
              >
                签退
              </button>
            </>
          )}
          <button className="mid-btn ghost" data-testid="tech-open" onClick={() => setPanel('tech')}>
            技术维护
          </button>
          <button className="mid-btn close" data-testid="staff-close" onClick={() => setPanel('none')}>
            关闭 ✕
          </button>
        </div>
      </header>
      <ErrorLine error={winCmd.error} testId="window-error" />
      <Notices audience="staff" />

      {!staff ? (
        <SignIn key={signInKey} badgeError={badgeError} />
      ) : !unlocked ? (
        <PinGate key={staff.staffId} staff={staff} />
      ) : (
        <div className="panel-body">
          <nav className="tabs">
            {(
              [
                ['overview', 'tab-overview', '我的数据'],
                ['start', 'tab-start', '发起评价'],
                ['bad', 'tab-bad-reviews', '差评与申诉'],
                ['recent', 'tab-recent', '最近评价'],
              ] as const
            ).map(([id, testId, label]) => (
              <button
                key={id}
                className={`tab${tab === id ? ' on' : ''}`}
                data-testid={testId}
                onClick={() => setTab(id)}
              >
                {label}
                {id === 'bad' && overview && overview.badReviews.some((b) => b.appealState === 'open') && (
                  <span className="dot" />
                )}
              </button>
            ))}
          </nav>
          <div className="tab-body">
            <p className="muted lock-hint" data-testid="staff-lock-hint">
              无操作 {unlock?.lockAfterS ?? 60} 秒后自动锁定 / locks after {unlock?.lockAfterS ?? 60} s
              untouched
            </p>
            <ErrorLine error={overviewError} testId="overview-error" />
            {tab === 'overview' && <Overview overview={overview} onRefresh={() => void reload()} />}
            {tab === 'start' && (
              <StartEvaluation scanned={scanned} onScanUsed={() => setScanned(null)} paused={paused} />
            )}
            {tab === 'bad' && <BadReviews overview={overview} onChanged={() => void reload()} />}
            {tab === 'recent' && <Recent overview={overview} onChanged={() => void reload()} />}
          </div>
        </div>
      )}
    </div>
  );
}
