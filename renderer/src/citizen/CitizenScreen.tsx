import type { KioskSnapshot } from '../../../src/api/contract.js';
import { ChainChoice } from './ChainChoice.js';
import { Thanks, Unrated } from './Done.js';
import { Idle } from './Idle.js';
import { Rating } from './Rating.js';
import { Reasons } from './Reasons.js';

export function CitizenScreen({ snapshot }: { snapshot: KioskSnapshot }) {
  const { prompt } = snapshot;
  // Keyed by step: every item of a chain starts with fresh choices and a full countdown.
  const step = prompt ? `${prompt.evaluationId}#${prompt.currentIdx}` : '';
  switch (snapshot.screen) {
    case 'chain_choice':
      return prompt ? <ChainChoice key={step} prompt={prompt} /> : <Idle snapshot={snapshot} />;
    case 'rating':
      return prompt ? <Rating key={step} prompt={prompt} /> : <Idle snapshot={snapshot} />;
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
