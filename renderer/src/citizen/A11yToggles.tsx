import { useKiosk } from '../store.js';

/** Large type and high contrast, one tap each from any citizen screen. */
export function A11yToggles() {
  const largeType = useKiosk((s) => s.largeType);
  const highContrast = useKiosk((s) => s.highContrast);
  const toggleLargeType = useKiosk((s) => s.toggleLargeType);
  const toggleHighContrast = useKiosk((s) => s.toggleHighContrast);
  return (
    <div className="a11y-toggles">
      <button
        className={`a11y-btn${largeType ? ' on' : ''}`}
        aria-pressed={largeType}
        data-testid="a11y-large"
        onClick={toggleLargeType}
      >
        <span className="a11y-glyph">大字</span>
        <span className="en">Large text</span>
      </button>
      <button
        className={`a11y-btn${highContrast ? ' on' : ''}`}
        aria-pressed={highContrast}
        data-testid="a11y-contrast"
        onClick={toggleHighContrast}
      >
        <span className="a11y-glyph">高对比</span>
        <span className="en">Contrast</span>
      </button>
    </div>
  );
}
