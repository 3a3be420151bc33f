/**
 * The durability harness's pad: the real core with its window API, and a stand-in citizen who
 * touches a star as soon as an evaluation opens. It prints `ACK <evaluationId> <stars>` when the
 * pad would show "thank you" — the acknowledgement the parent holds it to after a SIGKILL.
 *
 * HCP_BROKEN_ACK_BEFORE_COMMIT=1 builds the deliberately wrong variant: it acknowledges first and
 * writes behind, as a write-back cache would. The harness must catch it.
 */
import { loadConfig } from '../../src/config/config.js';
import { KioskCore } from '../../src/host/core.js';

const broken = process.env.HCP_BROKEN_ACK_BEFORE_COMMIT === '1';
const config = loadConfig();
const core = await KioskCore.start(config);
process.stdout.write(`READY ${core.windowApiUrl} ${core.windowApiToken}\n`);

function onSnapshot(snap: ReturnType<KioskCore['snapshot']>): void {
  if (snap.screen !== 'rating' || !snap.prompt) return;
  const evaluationId = snap.prompt.evaluationId;
  const stars = 3 + (evaluationId.charCodeAt(evaluationId.length - 1) % 3);
  if (broken) {
    process.stdout.write(`ACK ${evaluationId} ${stars}\n`);
    setTimeout(() => core.evaluations.press({ source: 'touch', key: stars, evaluationId }), Math.random() * 40);
    return;
  }
  const out = core.evaluations.press({ source: 'touch', key: stars, evaluationId });
  // press() returned: the transaction committed. Only now may the screen say thank you.
  if (out.disposition === 'rating' && out.next === 'rated') process.stdout.write(`ACK ${evaluationId} ${stars}\n`);
}

core.subscribe((event, payload) => {
  if (event === 'snapshot') onSnapshot(payload as ReturnType<KioskCore['snapshot']>);
});
// An evaluation left open by the previous kill is shown again, as the real screen would.
onSnapshot(core.snapshot());
