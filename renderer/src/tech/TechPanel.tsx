import { useCallback, useEffect, useState } from 'react';
import type { KioskSnapshot, TechStatus } from '../../../src/api/contract.js';
import { Bi } from '../components/Bi.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { Notices } from '../components/Notices.js';
import { useCommand } from '../components/hooks.js';
import { PinKeypad } from '../components/Keypad.js';
import { errorCode, errorText, invoke, useKiosk } from '../store.js';
import { BoardTab } from './BoardTab.js';
import { PrinterTab, SyncTab, SystemTab } from './InfoTabs.js';
import { SettingsTab } from './SettingsTab.js';

type Tab = 'board' | 'printer' | 'sync' | 'system' | 'settings';
function Unlock({ onUnlocked }: { onUnlocked: () => void }) {
  const [code, setCode] = useState('');
  const { run, busy, error } = useCommand();
  const submit = async () => {
    if (await run('techUnlock', { code })) onUnlocked();
    else setCode('');
  };
  return (
    <div className="signin" data-testid="tech-unlock">
      <div className="signin-fields">
        <h2>
          <Bi zh="技术维护口令" en="Technician code" />
        </h2>
        <input
          className="text-input"
          type="password"
          inputMode="numeric"
          aria-label="技术维护口令 Technician code"
          data-testid="tech-code"
          value={code}
          maxLength={32}
          autoComplete="off"
          onChange={(e) => setCode(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && code.length >= 4) void submit();
          }}
        />
        <button
          className="big-btn primary"
          data-testid="tech-unlock-submit"
          disabled={busy || code.length < 4}
          onClick={() => void submit()}
        >
          <Bi zh="解锁" en="Unlock" />
        </button>
        <ErrorLine error={error} testId="tech-unlock-error" />
      </div>
      <div className="signin-pad">
        <PinKeypad prefix="tech-key" maxLength={32} onChange={setCode} />
      </div>
    </div>
  );
}

export function TechPanel({ snapshot }: { snapshot: KioskSnapshot }) {
  const setPanel = useKiosk((s) => s.setPanel);
  const [unlocked, setUnlocked] = useState(false);
  const [tab, setTab] = useState<Tab>('board');
  const [status, setStatus] = useState<TechStatus | null>(null);
  const [statusError, setStatusError] = useState<{ code: string | null; message: string } | null>(null);

  const poll = useCallback(async () => {
    try {
      setStatus(await invoke('techStatus', {}));
      setStatusError(null);
    } catch (err) {
      // The unlock belongs to the connection: after a reconnect the code is asked again.
      if (errorCode(err) === 'tech_locked') setUnlocked(false);
      setStatusError({ code: errorCode(err), message: errorText(err) });
    }
  }, []);

  useEffect(() => {
    if (!unlocked) return;
    const first = setTimeout(() => void poll(), 0);
    const t = setInterval(() => void poll(), 2000);
    return () => {
      clearTimeout(first);
      clearInterval(t);
    };
  }, [unlocked, poll]);

  return (
    <div className="panel tech-panel" data-testid="tech-panel">
      <header className="panel-header">
        <div className="panel-title">
          <Bi zh="技术维护" en="Technician" />
        </div>
        <div className="panel-actions">
          <button className="mid-btn" data-testid="tech-back" onClick={() => setPanel('staff')}>
            ← 工作人员
          </button>
          <button className="mid-btn close" data-testid="tech-close" onClick={() => setPanel('none')}>
            关闭 ✕
          </button>
        </div>
      </header>
      <Notices audience="tech" />
      {!unlocked ? (
        <Unlock onUnlocked={() => setUnlocked(true)} />
      ) : (
        <div className="panel-body">
          <nav className="tabs">
            {(
              [
                ['board', '设备'],
                ['printer', '打印机'],
                ['sync', '同步'],
                ['system', '系统'],
                ['settings', '设置 Settings'],
              ] as const
            ).map(([id, label]) => (
              <button
                key={id}
                className={`tab${tab === id ? ' on' : ''}`}
                data-testid={`tab-${id}`}
                onClick={() => setTab(id)}
              >
                {label}
              </button>
            ))}
          </nav>
          <div className="tab-body">
            <ErrorLine error={statusError} testId="tech-status-error" />
            {!status ? (
              <div className="muted pad">正在读取… / loading…</div>
            ) : (
              <>
                {tab === 'board' && (
                  <BoardTab status={status} snapshot={snapshot} onChanged={() => void poll()} />
                )}
                {tab === 'printer' && <PrinterTab status={status} onChanged={() => void poll()} />}
                {tab === 'sync' && <SyncTab status={status} onChanged={() => void poll()} />}
                {tab === 'system' && <SystemTab status={status} />}
                {tab === 'settings' && <SettingsTab onChanged={() => void poll()} />}
              </>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
