import { TapButton } from '../components/TapButton.js';
import { useT } from '../i18n/index.js';

const ROWS = ['1234567890', 'QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM，。'];
export const COMMENT_MAX = 200;

/**
 * A large on-screen keyboard for citizens who can type: the citizen screen never needs a physical
 * keyboard. It types letters, digits and punctuation; Chinese comes from the quick phrases (a
 * pinyin or handwriting input method is the operating system's, where the hall installs one; the
 * text field takes its input too).
 */
export function OnScreenKeyboard({
  text,
  onChange,
  onDone,
}: {
  text: string;
  onChange: (text: string) => void;
  onDone: () => void;
}) {
  const { t } = useT();
  const type = (s: string) => onChange((text + s).slice(0, COMMENT_MAX));
  return (
    <div className="osk" role="dialog" aria-label={t('keyboard.title')} data-testid="osk">
      <div className="osk-title">{t('keyboard.title')}</div>
      <div className="comment-privacy" role="note" data-testid="osk-privacy">
        {t('reasons.privacy')}
      </div>
      <textarea
        className="osk-field"
        data-testid="osk-field"
        aria-label={t('keyboard.field')}
        inputMode="none"
        maxLength={COMMENT_MAX}
        value={text}
        onChange={(e) => onChange(e.target.value.slice(0, COMMENT_MAX))}
      />
      <div className="osk-keys">
        {ROWS.map((row) => (
          <div className="osk-row" key={row}>
            {[...row].map((ch) => (
              <TapButton key={ch} className="osk-key" data-testid={`osk-${ch}`} onTap={() => type(ch)}>
                {ch}
              </TapButton>
            ))}
          </div>
        ))}
        <div className="osk-row">
          <TapButton className="osk-key wide" data-testid="osk-space" onTap={() => type(' ')}>
            {t('keyboard.space')}
          </TapButton>
          <TapButton
            className="osk-key wide"
            data-testid="osk-backspace"
            onTap={() => onChange([...text].slice(0, -1).join(''))}
          >
            ⌫ {t('keyboard.backspace')}
          </TapButton>
          <TapButton className="osk-key wide primary" data-testid="osk-done" onTap={onDone}>
            {t('keyboard.done')}
          </TapButton>
        </div>
      </div>
    </div>
  );
}
