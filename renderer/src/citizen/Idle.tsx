import type { KioskSnapshot } from '../../../src/api/contract.js';
import { Bi } from '../components/Bi.js';
import { WINDOW_STATE_WORDS } from '../lib/format.js';
import { useKiosk } from '../store.js';

function initials(name: string): string {
  const t = name.trim();
  if (!t) return '?';
  // Chinese names: the surname; Latin names: the initials.
  if (/^[\u3400-\u9fff]/.test(t)) return t.slice(0, 1);
  return t
    .split(/\s+/)
    .map((w) => w[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
}

export function Idle({ snapshot }: { snapshot: KioskSnapshot }) {
  const setPanel = useKiosk((s) => s.setPanel);
  const { staff, windowState } = snapshot;
  const words = WINDOW_STATE_WORDS[windowState] ?? { zh: windowState, en: windowState };
  return (
    <div className="screen idle" data-testid="screen-idle">
      <header className="idle-header">
        <div className="hall-name" data-testid="hall-name">
          {snapshot.hallName}
        </div>
        <div className="window-no" data-testid="window-no">
          <span className="window-no-num">{snapshot.windowNo}</span>
          <Bi zh="号窗口" en="Window" />
        </div>
      </header>

      {windowState === 'paused' && (
        <div className="banner paused" data-testid="paused-banner" role="status">
          <Bi zh="暂停服务" en="Service paused — please wait or go to another window" />
        </div>
      )}

      <main className="staff-card" data-testid="staff-card">
        <div className="photo">
          {staff?.photoUrl ? (
            <img src={staff.photoUrl} alt={staff.name} data-testid="staff-photo" />
          ) : (
            <div className="initials" data-testid="staff-initials">
              {staff ? initials(staff.name) : '—'}
            </div>
          )}
        </div>
        <div className="staff-info">
          {staff ? (
            <>
              <div className="staff-name" data-testid="staff-name">
                {staff.name}
              </div>
              <div className="staff-line">
                工号 <b data-testid="staff-id">{staff.staffId}</b>
                <small> Staff No.</small>
              </div>
              {staff.title && <div className="staff-line">{staff.title}</div>}
            </>
          ) : (
            <div className="staff-name muted">
              <Bi zh="本窗口暂无工作人员" en="No staff at this window" />
            </div>
          )}
          <div
            className={`state-pill state-${windowState}`}
            data-testid="window-state"
            data-state={windowState}
          >
            <Bi zh={words.zh} en={words.en} />
          </div>
        </div>
      </main>

      <footer className="scan-hint" data-testid="scan-hint">
        <div className="scan-icon" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="64" height="64">
            <path
              d="M3 3h7v7H3zM14 3h7v7h-7zM3 14h7v7H3z"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
            />
            <path d="M14 14h3v3h-3zM18 18h3v3h-3zM18 14h3v2M14 19h2v2" fill="currentColor" />
          </svg>
        </div>
        <Bi
          zh="扫码评价：扫描办件回执上的二维码，也可随时评价"
          en="Scan the QR code on your receipt to rate our service"
        />
      </footer>

      {snapshot.staffPanelOpen && (
        <button className="staff-open" data-testid="staff-open" onClick={() => setPanel('staff')}>
          工作人员
        </button>
      )}
    </div>
  );
}
