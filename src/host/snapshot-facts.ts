import type { KioskSnapshot } from '../api/contract.js';
import type { KioskConfig } from '../config/config.js';
import type { PadClock } from '../domain/clock.js';
import type { HallIdentity, StaffMember } from '../domain/types.js';
import type { EvaluationService } from '../service/evaluations.js';
import type { StaffService } from '../service/staff.js';
import type { ClockOffset } from '../store/clock-offset.js';
import type { ReferenceData } from '../store/reference-data.js';
import type { DeviceStatusReader } from './device-status.js';
import type { Afterglow } from './screen-timers.js';
import { inWallClockFrame, type StaffCard } from './snapshot.js';
import type { StorageHealth } from './storage-health.js';

/** Where the citizen screen's facts are read from (the composition root's parts). */
export interface SnapshotSources {
  clock: PadClock;
  citizen: KioskConfig['citizen'];
  staff: Pick<StaffService, 'status'>;
  evaluations: Pick<EvaluationService, 'openEvaluation' | 'targetsOf' | 'get'>;
  refdata: Pick<ReferenceData, 'norms' | 'photoDataUrl'>;
  devices: Pick<DeviceStatusReader, 'read'>;
  afterglow: Pick<Afterglow, 'current'>;
  clockOffset: Pick<ClockOffset, 'offsetMs'>;
  storage: Pick<StorageHealth, 'state'>;
  hall(): HallIdentity;
}

/**
 * Reads every fact the screen's view depends on at one moment and builds the view
 * (snapshot.ts, pure). The screen counts down against the operating system's clock (decision 195).
 */
export function readSnapshot(s: SnapshotSources): KioskSnapshot {
  const st = s.staff.status();
  const open = s.evaluations.openEvaluation();
  const hall = s.hall();
  const devices = s.devices.read();
  const glow = s.afterglow.current();
  return inWallClockFrame(s.clock.wallSkewMs(), {
    nowMs: s.clock.now(),
    hallName: hall.hallName,
    windowNo: hall.windowNo,
    norms: s.refdata.norms(),
    windowState: st.state,
    staff: st.staff ? staffCardOf(s.refdata, st.staff) : null,
    open: open
      ? {
          evaluation: open.evaluation,
          cases: open.cases,
          targets: s.evaluations.targetsOf(open.evaluation, open.cases),
        }
      : null,
    afterglow: glow,
    board: devices.board.state,
    printer: devices.printer.state,
    boardSimulated: devices.board.simulated,
    serverTimeOffsetMs: s.clockOffset.offsetMs(),
    storage: s.storage.state(),
    afterglowReceiptPrinted:
      !open && glow !== null
        ? (s.evaluations.get(glow.evaluationId)?.evaluation.receipt_prints ?? 0) > 0
        : false,
    citizen: s.citizen,
  });
}

export function staffCardOf(refdata: Pick<ReferenceData, 'photoDataUrl'>, s: StaffMember): StaffCard {
  return { staffId: s.staffId, name: s.name, title: s.title, photoUrl: refdata.photoDataUrl(s.staffId) };
}
