import type { KioskSnapshot } from '../../../src/api/contract.js';
import { Msg } from '../components/Msg.js';
import { useNow } from '../components/hooks.js';
import type { MessageKey } from '../i18n/index.js';
import { useKiosk } from '../store.js';
import { Attract } from './Attract.js';
import { ScanIcon } from './ScanIcon.js';

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
  const panel = useKiosk((s) => s.panel);
  const lastActivityMs = useKiosk((s) => s.lastActivityMs);
  const idleSinceMs = useKiosk((s) => s.idleSinceMs);
  const now = useNow(1000);
  const { staff, windowState } = snapshot;
  const afterS = snapshot.citizen.attract.afterS;
  const quietFor = now - Math.max(lastActivityMs, idleSinceMs);
  if (afterS > 0 && panel === 'none' && quietFor >= afterS * 1000) return <Attract snapshot={snapshot} />;

  return (
    <div className="screen idle" data-testid="screen-idle">
      <header className="idle-header">
        <div className="hall-name" data-testid="hall-name">
          {snapshot.hallName}
        </div>
        <div className="window-no" data-testid="window-no">
          <span className="window-no-num">{snapshot.windowNo}</span>
          <Msg k="idle.window" />
        </div>
      </header>

      {windowState === 'paused' && (
        <div className="banner paused" data-testid="paused-banner" role="status">
          <Msg k="idle.paused" />
        </div>
      )}

      <main className="staff-card" data-testid="staff-card">
        <div className="photo">
          {staff?.photoUrl ? (
            <img src={staff.photoUrl} alt={staff.name} data-testid="staff-photo" />
          ) : (
            <div className="initials" data-testid="staff-initials" aria-hidden="true">
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
                <Msg k="idle.staffNo" /> <b data-testid="staff-id">{staff.staffId}</b>
              </div>
              {staff.title && <div className="staff-line">{staff.title}</div>}
            </>
          ) : (
            <div className="staff-name muted">
              <Msg k="idle.noStaff" />
            </div>
          )}
          <div
            className={`state-pill state-${windowState}`}
            data-testid="window-state"
            data-state={windowState}
          >
            <Msg k={`state.${windowState}` as MessageKey} />
          </div>
        </div>
      </main>

      <footer className="scan-hint" data-testid="scan-hint">
        <ScanIcon />
        <Msg k="idle.scan" />
      </footer>

      {snapshot.staffPanelOpen && (
        <button
          type="button"
          className="staff-open"
          data-testid="staff-open"
          onClick={() => setPanel('staff')}
        >
          <Msg k="idle.staff" />
        </button>
      )}
    </div>
  );
}
