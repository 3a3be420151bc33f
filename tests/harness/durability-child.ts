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

/** A touch on a star, then 跳过 on the optional extras: the rating is sealed when this returns true. */
function rate(evaluationId: string, stars: number): boolean {
  const out = core.evaluations.press({ source: 'touch', key: stars, evaluationId });
  if (out.disposition !== 'rating') return false;
  if (out.next === 'reasons')
    return core.evaluations.submitReasons(evaluationId, [], undefined).state === 'rated';
  return out.next === 'rated';
}

function onSnapshot(snap: ReturnType<KioskCore['snapshot']>): void {
  if (snap.screen !== 'rating' || !snap.prompt) return;
  const evaluationId = snap.prompt.evaluationId;
  const stars = 3 + (evaluationId.charCodeAt(evaluationId.length - 1) % 3);
  if (broken) {
    process.stdout.write(`ACK ${evaluationId} ${stars}\n`);
    setTimeout(() => rate(evaluationId, stars), Math.random() * 40);
    return;
  }
  // rate() returned: the transaction committed. Only now may the screen say thank you.
  if (rate(evaluationId, stars)) process.stdout.write(`ACK ${evaluationId} ${stars}\n`);
}

core.subscribe((event, payload) => {
  if (event === 'snapshot') onSnapshot(payload as ReturnType<KioskCore['snapshot']>);
});
// An evaluation the previous kill left open: its citizen has gone. One still waiting is cancelled
// (as staff would); one in the reasons step is completed. Re-rating it would hide exactly the loss
// the broken build causes.
const left = core.evaluations.openEvaluation();
if (left?.evaluation.state === 'waiting')
  core.evaluations.cancel(left.evaluation.id, {
    reason: 'citizen_left',
    staffId: left.evaluation.staff_id,
    channel: 'harness',
  });
else if (left?.evaluation.state === 'reasons')
  core.evaluations.submitReasons(left.evaluation.id, [], undefined);
process.stdout.write(`READY ${core.windowApiUrl} ${core.windowApiToken}\n`);
