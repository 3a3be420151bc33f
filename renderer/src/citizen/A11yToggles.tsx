import { TapButton } from '../components/TapButton.js';
import { useT } from '../i18n/index.js';
import { useKiosk } from '../store.js';

/** Large type and high contrast, one tap each from any citizen screen. */
export function A11yToggles() {
  const { t, sub } = useT();
  const largeType = useKiosk((s) => s.largeType);
  const highContrast = useKiosk((s) => s.highContrast);
  const toggleLargeType = useKiosk((s) => s.toggleLargeType);
  const toggleHighContrast = useKiosk((s) => s.toggleHighContrast);
  return (
    <div className="a11y-toggles">
      <TapButton
        className={`a11y-btn${largeType ? ' on' : ''}`}
        aria-pressed={largeType}
        data-testid="a11y-large"
        onTap={toggleLargeType}
      >
        <span className="a11y-glyph">{t('a11y.large')}</span>
        {sub('a11y.large') && (
          <span className="en" lang="en">
            {sub('a11y.large')}
          </span>
        )}
      </TapButton>
      <TapButton
        className={`a11y-btn${highContrast ? ' on' : ''}`}
        aria-pressed={highContrast}
        data-testid="a11y-contrast"
        onTap={toggleHighContrast}
      >
        <span className="a11y-glyph">{t('a11y.contrast')}</span>
        {sub('a11y.contrast') && (
          <span className="en" lang="en">
            {sub('a11y.contrast')}
          </span>
        )}
      </TapButton>
    </div>
  );
}
