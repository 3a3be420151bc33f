import { A11yToggles } from './citizen/A11yToggles.js';
import { CitizenScreen } from './citizen/CitizenScreen.js';
import { useDevKeys, useVoicePrompts } from './components/effects.js';
import { StorageBanner } from './components/StorageBanner.js';
import { StaffCancel } from './staff/StaffCancel.js';
import { StaffPanel } from './staff/StaffPanel.js';
import { TechPanel } from './tech/TechPanel.js';
import { useKiosk } from './store.js';

export function App() {
  const snapshot = useKiosk((s) => s.snapshot);
  const panel = useKiosk((s) => s.panel);
  const connection = useKiosk((s) => s.connection);
  const largeType = useKiosk((s) => s.largeType);
  const highContrast = useKiosk((s) => s.highContrast);
  useVoicePrompts(snapshot);
  useDevKeys();

  const cls = ['app', largeType ? 'large' : '', highContrast ? 'contrast' : ''].filter(Boolean).join(' ');
  return (
    <div className={cls} data-testid="app" data-screen={snapshot?.screen ?? 'loading'}>
      {connection !== 'open' && (
        <div className="conn-banner" data-testid="conn-banner" role="status">
          {snapshot ? '连接中断，正在重新连接… / Reconnecting…' : '正在连接… / Connecting…'}
        </div>
      )}
      {snapshot ? (
        <CitizenScreen snapshot={snapshot} />
      ) : (
        <div className="screen loading" data-testid="screen-loading">
          <div className="done-title">正在启动…</div>
          <div className="en done-en">Starting…</div>
        </div>
      )}
      {panel === 'none' && <A11yToggles />}
      {panel === 'none' && snapshot && <StaffCancel snapshot={snapshot} />}
      {panel === 'staff' && snapshot && <StaffPanel snapshot={snapshot} />}
      {panel === 'tech' && snapshot && <TechPanel snapshot={snapshot} />}
      {snapshot && <StorageBanner storage={snapshot.storage} />}
    </div>
  );
}
