import type { KioskSnapshot } from '../../../src/api/contract.js';
import { Msg } from '../components/Msg.js';
import { useT } from '../i18n/index.js';
import { starKey, Stars } from './Rating.js';

export function Thanks({
  snapshot,
  unseen = false,
}: {
  snapshot: Pick<KioskSnapshot, 'thanksChosen'>;
  /** Laid out for the prewarm: no test ids, so nothing looking for the screen finds this copy. */
  unseen?: boolean;
}) {
  const { t, sub } = useT();
  const chosen = snapshot.thanksChosen;
  const english = sub('thanks.title');
  // The unseen copy's words are laid out from CSS (`.unseen-text`), not as text in the DOM: the
  // same fonts and sizes, and nothing that looks for the rating screen's words finds a second copy.
  const say = (words: string) => (unseen ? <span className="unseen-text" data-text={words} /> : words);
  return (
    <div className="screen thanks" data-testid={unseen ? undefined : 'screen-thanks'}>
      <div className="done-icon ok" aria-hidden="true">
        {say('✓')}
      </div>
      <h1 className="done-title">{say(t('thanks.title'))}</h1>
      {english && (
        <div className="en done-en" lang="en">
          {say(english)}
        </div>
      )}
      {chosen !== null && (
        <div className="chosen-line" data-testid={unseen ? undefined : 'thanks-chosen'}>
          <span>{say(t('thanks.yourRating'))}</span>
          {unseen ? <span className="stars">{say('★★★★★')}</span> : <Stars n={chosen} />}
          <span className="chosen-words">{say(t(starKey(chosen)))}</span>
        </div>
      )}
    </div>
  );
}

/** The QR hint only when a receipt was really printed for this evaluation. */
export function Unrated({ receiptPrinted }: { receiptPrinted: boolean }) {
  const { t, sub } = useT();
  return (
    <div className="screen unrated" data-testid="screen-unrated">
      <div className="done-icon neutral" aria-hidden="true">
        i
      </div>
      <h1 className="done-title">{t('unrated.title')}</h1>
      {sub('unrated.title') && (
        <div className="en done-en" lang="en">
          {sub('unrated.title')}
        </div>
      )}
      {receiptPrinted && (
        <div className="done-sub" data-testid="unrated-receipt-hint">
          <Msg k="unrated.sub" />
        </div>
      )}
    </div>
  );
}

/**
 * The thanks screen laid out once, unseen, under the first rating screen after start: the first
 * thanks would otherwise pay for its styles, fonts and layout while the citizen waits (measured:
 * its first frame 34–45 ms after the DOM arrived without this copy, 12–21 ms with it; decision 208).
 */
export function ThanksPrewarm() {
  return (
    <div className="prewarm" aria-hidden="true" inert>
      <Thanks snapshot={{ thanksChosen: 5 }} unseen />
    </div>
  );
}
