import type { KioskSnapshot } from '../../../src/api/contract.js';
import { ChainChoice } from './ChainChoice.js';
import { Thanks, Unrated } from './Done.js';
import { Idle } from './Idle.js';
import { Rating } from './Rating.js';
import { Reasons } from './Reasons.js';

export function CitizenScreen({ snapshot }: { snapshot: KioskSnapshot }) {
  const { prompt } = snapshot;
  switch (snapshot.screen) {
    case 'chain_choice':
      return prompt ? <ChainChoice prompt={prompt} /> : <Idle snapshot={snapshot} />;
    case 'rating':
      return prompt ? <Rating key={prompt.evaluationId} prompt={prompt} /> : <Idle snapshot={snapshot} />;
    case 'reasons':
      return prompt ? <Reasons key={prompt.evaluationId} prompt={prompt} /> : <Idle snapshot={snapshot} />;
    case 'thanks':
      return <Thanks />;
    case 'unrated':
      return <Unrated receiptPrinted={snapshot.receiptPrinted} />;
    default:
      return <Idle snapshot={snapshot} />;
  }
}
