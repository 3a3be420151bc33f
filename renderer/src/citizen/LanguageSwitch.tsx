import { CITIZEN_LANGS } from '../../../src/api/citizen.js';
import { TapButton } from '../components/TapButton.js';
import { useT } from '../i18n/index.js';
import { useKiosk } from '../store.js';

/** One tap to another language for this evaluation; the pad returns to zh-CN when it closes. */
export function LanguageSwitch() {
  const { lang, t } = useT();
  const setLang = useKiosk((s) => s.setLang);
  return (
    <div className="lang-switch" role="group" aria-label={t('lang.switch')} data-testid="lang-switch">
      {CITIZEN_LANGS.map((l) => (
        <TapButton
          key={l}
          className={`lang-btn${l === lang ? ' on' : ''}`}
          aria-pressed={l === lang}
          lang={l}
          data-testid={`lang-${l}`}
          onTap={() => setLang(l)}
        >
          {t(`lang.${l}`)}
        </TapButton>
      ))}
    </div>
  );
}
