import type { KioskConfig } from '../config/config.js';
import { isBadLead } from '../domain/record.js';
import type { CommittedChange } from '../service/evaluations.js';
import type { StaffPanelGate } from './access.js';
import type { HardwareBridge } from './hardware.js';
import type { Receipts } from './receipts.js';
import type { Afterglow, DeadlineTimer } from './screen-timers.js';
import type { SyncBridge } from './sync-bridge.js';

/** What the pad does after a committed change, and with what. */
export interface CommitReactionDeps {
  config: Pick<KioskConfig, 'timing' | 'printer'>;
  staffPanel: Pick<StaffPanelGate, 'lockAll'>;
  afterglow: Pick<Afterglow, 'show'>;
  sync: Pick<SyncBridge, 'kick'>;
  receipts: Pick<Receipts, 'printForEvaluation'>;
  hardware: Pick<HardwareBridge, 'onEvaluationChange'>;
  deadlines: Pick<DeadlineTimer, 'schedule'>;
  pushSnapshot(): void;
  notice(level: 'warn', text: string, audience: 'staff'): void;
  /** a hook for harnesses: called after a rating's commit, before it is acknowledged anywhere */
  onAcknowledge?: (what: string, id: string) => void;
}

/**
 * After a commit (never before: durability first): lock the staff panels when a citizen is at
 * the pad, the LEDs, the thanks / unrated screen, the uploader kicked (at once for a 差评 lead),
 * the unrated receipt, the next deadline and a snapshot (built after the board's ack, core.ts).
 */
export function reactToCommit(change: CommittedChange, d: CommitReactionDeps): void {
  // The citizen is at the pad now: every open staff panel locks (domain.md).
  if (change.kind === 'started') d.staffPanel.lockAll();
  if (change.kind === 'closed') for (const r of change.sealed) d.onAcknowledge?.('sealed', r.evaluationId);
  // The LEDs first of what the citizen sees: they are what the finger on the key waits for.
  d.hardware.onEvaluationChange(change);
  if (change.kind === 'closed') {
    const rated = change.outcome === 'rated';
    d.afterglow.show(
      rated ? 'thanks' : 'unrated',
      rated ? d.config.timing.thanksS * 1000 : 3000,
      change.evaluationId,
      rated ? change.chosenKey : null,
    );
    d.sync.kick(change.sealed.some(isBadLead));
    if (!rated && d.config.printer.autoPrintUnrated) {
      d.receipts
        .printForEvaluation(change.evaluationId)
        .then(() => d.pushSnapshot())
        .catch((err: unknown) =>
          d.notice('warn', `回执打印失败 / receipt failed: ${(err as Error).message}`, 'staff'),
        );
    }
  } else if (change.kind === 'step' || change.kind === 'cancelled') {
    // A 差评 on a chain's first item goes out now, not at the next batch interval.
    d.sync.kick(change.sealed.some(isBadLead));
  }
  d.deadlines.schedule();
  d.pushSnapshot();
}
