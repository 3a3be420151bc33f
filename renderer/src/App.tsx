import { A11yToggles } from './citizen/A11yToggles.js';
import { CitizenScreen } from './citizen/CitizenScreen.js';
import { useActivity, useDevKeys } from './components/effects.js';
import { useT } from './i18n/index.js';
import { StorageBanner } from './components/StorageBanner.js';
import { StaffCancel } from './staff/StaffCancel.js';
import { StaffPanel } from './staff/StaffPanel.js';
import { TechPanel } from './tech/TechPanel.js';
import { useKiosk } from './store.js';
import { useVoice } from './voice/useVoice.js';

export function App() {
  const snapshot = useKiosk((s) => s.snapshot);
  const panel = useKiosk((s) => s.panel);
  const connection = useKiosk((s) => s.connection);
  const largeType = useKiosk((s) => s.largeType);
  const highContrast = useKiosk((s) => s.highContrast);
  const { t, sub, lang } = useT();
  useVoice(snapshot);
  useDevKeys();
  useActivity();

  const cls = ['app', largeType ? 'large' : '', highContrast ? 'contrast' : ''].filter(Boolean).join(' ');
  const connKey = snapshot ? 'app.reconnecting' : 'app.connecting';
  return (
    <div
      className={cls}
      lang={lang}
      data-testid="app"
      data-screen={snapshot?.screen ?? 'loading'}
      data-lang={lang}
    >
      {connection !== 'open' && (
        <div className="conn-banner" data-testid="conn-banner" role="status">
          {t(connKey)}
          {sub(connKey) ? ` / ${sub(connKey)}` : ''}
        </div>
      )}
      {snapshot ? (
        <CitizenScreen snapshot={snapshot} />
      ) : (
        <div className="screen loading" data-testid="screen-loading">
          <div className="done-title">{t('app.starting')}</div>
          {sub('app.starting') && <div className="en done-en">{sub('app.starting')}</div>}
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
