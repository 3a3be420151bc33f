import type { KioskSnapshot } from '../../../src/api/contract.js';
import { ChainChoice } from './ChainChoice.js';
import { Thanks, ThanksPrewarm, Unrated } from './Done.js';
import { Idle } from './Idle.js';
import { Rating } from './Rating.js';
import { Reasons } from './Reasons.js';

let warmedAt: string | null = null;

/** True after the first rating screen since the page loaded: that one carries the prewarm. */
function thanksWarmed(step: string): boolean {
  if (warmedAt === null) warmedAt = step;
  return warmedAt !== step;
}

export function CitizenScreen({ snapshot }: { snapshot: KioskSnapshot }) {
  const { prompt } = snapshot;
  // Keyed by step: every item of a chain starts with fresh choices and a full countdown.
  const step = prompt ? `${prompt.evaluationId}#${prompt.currentIdx}` : '';
  switch (snapshot.screen) {
    case 'chain_choice':
      return prompt ? <ChainChoice key={step} prompt={prompt} /> : <Idle snapshot={snapshot} />;
    case 'rating':
      return prompt ? (
        <>
          <Rating key={step} prompt={prompt} />
          {!thanksWarmed(step) && <ThanksPrewarm />}
        </>
      ) : (
        <Idle snapshot={snapshot} />
      );
    case 'reasons':
      return prompt ? (
        <Reasons key={step} prompt={prompt} snapshot={snapshot} />
      ) : (
        <Idle snapshot={snapshot} />
      );
    case 'thanks':
      return <Thanks snapshot={snapshot} />;
    case 'unrated':
      return <Unrated receiptPrinted={snapshot.receiptPrinted} />;
    default:
      return <Idle snapshot={snapshot} />;
  }
}
