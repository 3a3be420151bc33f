import { DomainError } from '../../domain/errors.js';
import { isBadReview, isSatisfaction, type Satisfaction } from '../../domain/levels.js';
import type { PlatformRecord } from '../../domain/record.js';
import { finishStep } from './sealing.js';
import {
  loadEvaluation,
  loadOpen,
  targetsOf,
  type CommittedChange,
  type EvaluationDeps,
  type Loaded,
  type PressInput,
  type PressOutcome,
  settledDeps,
} from './types.js';
import { maskPersonalNumbers } from '../../domain/personal-data.js';

/** What a citizen's action changed, for the caller to announce after the commit. */
export interface RatingEffect<T> {
  result: T;
  change: CommittedChange | null;
}

function requireOpen(deps: EvaluationDeps, id: string): Loaded {
  const open = loadOpen(deps.db);
  if (!open || open.evaluation.id !== id)
    throw new DomainError('not_open', `评价 ${id} 不在进行中 / evaluation ${id} is not open`);
  return open;
}

function stepChange(id: string, state: 'waiting' | 'reasons', sealed: PlatformRecord[]): CommittedChange {
  return { kind: 'step', evaluationId: id, state, sealed };
}

/** Choosing how to rate a chain starts the rating time afresh (domain.md "Time"). */
export function chooseChainMode(deps: EvaluationDeps, id: string, mode: 'overall' | 'each'): CommittedChange {
  const { db, clock } = deps;
  const now = clock.now();
  db.transaction(() => {
    const open = requireOpen(deps, id);
    if (open.evaluation.group_type !== 'chain')
      throw new DomainError('invalid', '这不是一链办评价 / not a chain evaluation', 'mode');
    if (open.evaluation.chain_mode !== null)
      throw new DomainError('invalid', '评价方式已选择 / mode already chosen', 'mode');
    db.prepare('UPDATE evaluations SET chain_mode = ?, prompt_ms = ?, step_deadline_ms = ? WHERE id = ?').run(
      mode,
      now,
      now + deps.timing().rateTimeoutS * 1000,
      id,
    );
  })();
  return stepChange(id, 'waiting', []);
}

/** A key press on the board or a touch on a star. Only the first one of each step counts. */
export function press(given: EvaluationDeps, input: PressInput): RatingEffect<PressOutcome> {
  const deps = settledDeps(given);
  const { db, clock } = deps;
  const now = clock.now();
  let change: CommittedChange | null = null;
  const outcome = db.transaction((): PressOutcome => {
    if (input.board) {
      const seen = db
        .prepare('SELECT 1 FROM raw_inputs WHERE board_serial = ? AND boot_id = ? AND counter = ?')
        .get(input.board.serial, input.board.bootId, input.board.counter);
      if (seen) return { disposition: 'duplicate' };
    }
    const logInput = (disposition: string, evaluationId: string | null) =>
      db
        .prepare(
          `INSERT INTO raw_inputs (at_ms, source, key, board_serial, boot_id, counter, disposition, evaluation_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          now,
          input.source,
          input.key,
          input.board?.serial ?? null,
          input.board?.bootId ?? null,
          input.board?.counter ?? null,
          disposition,
          evaluationId,
        );

    const open = loadOpen(db);
    if (!open || (input.evaluationId !== undefined && input.evaluationId !== open.evaluation.id)) {
      logInput('no_evaluation', input.evaluationId ?? null);
      change = { kind: 'stray_press' };
      return { disposition: 'no_evaluation' };
    }
    const { evaluation: ev } = open;
    if (!isSatisfaction(input.key)) {
      logInput('not_a_star', ev.id);
      return { disposition: 'not_a_star' };
    }
    if (ev.state !== 'waiting') {
      logInput('not_first', ev.id);
      return { disposition: 'not_first' };
    }
    if (ev.group_type === 'chain' && ev.chain_mode === null) {
      // A star pressed before choosing how to rate a chain is an overall rating: a citizen at the
      // physical keys can't see the choice, and one rating for all is what they meant.
      db.prepare(`UPDATE evaluations SET chain_mode = 'overall' WHERE id = ?`).run(ev.id);
      ev.chain_mode = 'overall';
    }
    logInput('rating', ev.id);
    const satisfaction = input.key as Satisfaction;
    const markChosen = db.prepare(
      'UPDATE evaluation_cases SET chosen_satisfaction = ?, chosen_source = ?, chosen_ms = ? WHERE evaluation_id = ? AND idx = ?',
    );
    for (const t of targetsOf(ev, open.cases)) {
      markChosen.run(satisfaction, input.source, now, ev.id, t.idx);
      // Kept in step with the row, so sealing below works from these rows instead of reading
      // them again (the press is the hot path: docs/perf.md).
      t.chosen_satisfaction = satisfaction;
      t.chosen_source = input.source;
      t.chosen_ms = now;
    }

    const timing = deps.timing();
    const offersExtras = deps.norms().items.some((i) => i.starLevel === satisfaction);
    if (isBadReview(satisfaction) || (input.source === 'touch' && offersExtras)) {
      const timeoutS = isBadReview(satisfaction) ? timing.reasonsTimeoutS : timing.optionalExtrasTimeoutS;
      db.prepare(`UPDATE evaluations SET state = 'reasons', step_deadline_ms = ? WHERE id = ?`).run(
        now + timeoutS * 1000,
        ev.id,
      );
      change = stepChange(ev.id, 'reasons', []);
      return { disposition: 'rating', evaluationId: ev.id, next: 'reasons', sealed: [] };
    }
    const step = finishStep(deps, ev.id, 'rated', { codes: [], comment: undefined }, now, { loaded: open });
    change = step.closed ?? stepChange(ev.id, 'waiting', step.sealed);
    return { disposition: 'rating', evaluationId: ev.id, next: step.next, sealed: step.sealed };
  })();
  return { result: outcome, change };
}

/**
 * The reasons step's answer: indicators of the chosen level, a comment, or both. For a 差评 a
 * comment alone is enough (national rule: 勾选详情或填写文字评价).
 */
export function submitReasons(
  given: EvaluationDeps,
  id: string,
  codes: string[],
  comment: string | undefined,
): RatingEffect<{ state: 'rated' | 'next_item' }> {
  const deps = settledDeps(given);
  const { db, clock } = deps;
  const now = clock.now();
  return db.transaction(() => {
    const open = requireOpen(deps, id);
    if (open.evaluation.state !== 'reasons')
      throw new DomainError('invalid', '当前不在选择原因步骤 / not at the reasons step', 'codes');
    const chosen = targetsOf(open.evaluation, open.cases)[0]?.chosen_satisfaction;
    if (chosen === null || chosen === undefined) throw new DomainError('invalid', 'no star chosen', 'codes');
    const allowed = new Set(
      deps
        .norms()
        .items.filter((i) => i.starLevel === chosen)
        .map((i) => i.code),
    );
    const unique = [...new Set(codes)];
    const bad = unique.find((c) => !allowed.has(c));
    if (bad !== undefined)
      throw new DomainError(
        'invalid',
        `指标 ${bad} 不属于 ${chosen} 星 / indicator ${bad} is not offered for ${chosen} stars`,
        'codes',
      );
    // Masked before it is sealed: a sealed record is never edited, and the pad keeps no ID or phone.
    const text = maskPersonalNumbers(comment?.trim() ?? '') || undefined;
    if (isBadReview(chosen) && unique.length === 0 && !text) {
      throw new DomainError(
        'reasons_required',
        '差评请至少选择一项原因或填写意见 / choose at least one reason or write a comment',
        'codes',
      );
    }
    const step = finishStep(deps, id, 'rated', { codes: unique, comment: text }, now);
    return {
      result: { state: step.next === 'next_item' ? ('next_item' as const) : ('rated' as const) },
      change: step.closed ?? stepChange(id, 'waiting', step.sealed),
    };
  })();
}

/** Closes one evaluation whose step ran out (inside its own transaction). */
export function expireOne(given: EvaluationDeps, id: string, now: number): CommittedChange | null {
  const deps = settledDeps(given);
  return deps.db.transaction((): CommittedChange | null => {
    const open = loadEvaluation(deps.db, id);
    if (!open || (open.evaluation.state !== 'waiting' && open.evaluation.state !== 'reasons')) return null;
    const targets = targetsOf(open.evaluation, open.cases);
    const optionalExtras =
      open.evaluation.state === 'reasons' &&
      targets.every((t) => t.chosen_satisfaction !== null && !isBadReview(t.chosen_satisfaction));
    // The optional extras step ran out: the star stands as the rating. Anything else: nothing
    // valid was given in time, and this and every remaining item close unrated.
    const step = optionalExtras
      ? finishStep(deps, id, 'rated', { codes: [], comment: undefined }, now)
      : finishStep(deps, id, 'unrated', { codes: [], comment: undefined }, now, { closeAll: true });
    return step.closed ?? stepChange(id, 'waiting', step.sealed);
  })();
}
