import { recordHash } from '../src/domain/canonical.js';

/**
 * The platform's field checks of docs/protocols/platform-api.md §2. Returns the first problem as
 * `field: message` (the invalid_field message), or null when the record is acceptable.
 */
const TIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const DETAIL_RE = /^\d{1,8}(,\d{1,8})*$/;

const KNOWN = new Set([
  'evaluationId',
  'projectNo',
  'serviceNumber',
  'taskCode',
  'taskName',
  'promiseType',
  'hallCode',
  'windowNo',
  'areaCode',
  'staffId',
  'staffName',
  'pf',
  'status',
  'satisfaction',
  'evalDetail',
  'normVersion',
  'writingEvaluation',
  'inputSource',
  'groupId',
  'groupType',
  'groupMode',
  'abandonedSatisfaction',
  'cancelledTime',
  'cancelledBy',
  'cancelReason',
  'startedTime',
  'assessTime',
  'deviceSeq',
  'deviceTimeMs',
  'clockOffsetMs',
  'clockUnsynced',
  'riskFlags',
  'prevHash',
  'hash',
]);

const isStr = (v: unknown, max: number, min = 1): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

const CANCEL_REASONS = new Set(['wrong_case', 'citizen_left', 'other']);

/** The fields version 1.1 added: abandonedSatisfaction, the cancel fields, groupMode. */
function validate11(r: Record<string, unknown>): string | null {
  if (r.abandonedSatisfaction !== undefined) {
    if (r.status !== 'unrated') return 'abandonedSatisfaction: only with status unrated';
    if (r.abandonedSatisfaction !== 1 && r.abandonedSatisfaction !== 2)
      return 'abandonedSatisfaction: 1 or 2';
  }
  if (r.status === 'cancelled') {
    if (!isStr(r.cancelledTime, 19) || !TIME_RE.test(r.cancelledTime))
      return 'cancelledTime: yyyy-MM-dd HH:mm:ss required when cancelled';
    if (!isStr(r.cancelledBy, 64)) return 'cancelledBy: staffId required when cancelled';
    if (typeof r.cancelReason !== 'string' || !CANCEL_REASONS.has(r.cancelReason))
      return 'cancelReason: "wrong_case", "citizen_left" or "other" required when cancelled';
  } else {
    for (const k of ['cancelledTime', 'cancelledBy', 'cancelReason'] as const)
      if (r[k] !== undefined) return `${k}: only with status cancelled`;
  }
  if (r.groupMode !== undefined) {
    if (r.groupType !== 'chain') return 'groupMode: only with groupType chain';
    if (r.groupMode !== 'overall' && r.groupMode !== 'each') return 'groupMode: "overall" or "each"';
  }
  return null;
}

export function validateRecord(r: Record<string, unknown>): string | null {
  for (const k of Object.keys(r)) if (!KNOWN.has(k)) return `${k}: unknown field`;
  for (const [k, v] of Object.entries(r))
    if (v === null) return `${k}: null is not allowed (leave the field out)`;
  if (!isStr(r.evaluationId, 64)) return 'evaluationId: string of 1..64 characters required';
  if (!isStr(r.projectNo, 50)) return 'projectNo: string of 1..50 characters required';
  if (!isInt(r.serviceNumber) || r.serviceNumber < 1) return 'serviceNumber: integer >= 1 required';
  if (!isStr(r.taskCode, 50)) return 'taskCode: string of 1..50 characters required';
  if (!isStr(r.taskName, 200)) return 'taskName: string of 1..200 characters required';
  if (r.promiseType !== 1 && r.promiseType !== 2) return 'promiseType: 1 or 2 required';
  for (const k of ['hallCode', 'windowNo', 'areaCode', 'staffId', 'staffName'] as const) {
    if (!isStr(r[k], 200)) return `${k}: string required`;
  }
  if (r.pf !== '4') return 'pf: must be "4"';
  if (r.status !== 'rated' && r.status !== 'unrated' && r.status !== 'cancelled')
    return 'status: "rated", "unrated" or "cancelled" required';
  if (!isStr(r.startedTime, 19) || !TIME_RE.test(r.startedTime))
    return 'startedTime: yyyy-MM-dd HH:mm:ss required';
  if (
    r.writingEvaluation !== undefined &&
    (typeof r.writingEvaluation !== 'string' || r.writingEvaluation.length > 500)
  ) {
    return 'writingEvaluation: string of at most 500 characters';
  }
  if (r.evalDetail !== undefined) {
    if (typeof r.evalDetail !== 'string' || (r.evalDetail !== '' && !DETAIL_RE.test(r.evalDetail)))
      return 'evalDetail: comma-separated indicator codes';
    if (r.evalDetail !== '' && !isStr(r.normVersion, 64)) return 'normVersion: required with evalDetail';
  }
  if (r.normVersion !== undefined && !isStr(r.normVersion, 64)) return 'normVersion: string required';
  if (r.status === 'rated') {
    if (!isInt(r.satisfaction) || r.satisfaction < 1 || r.satisfaction > 5)
      return 'satisfaction: 1..5 required when rated';
    if (r.inputSource !== 'key' && r.inputSource !== 'touch')
      return 'inputSource: "key" or "touch" required when rated';
    if (!isStr(r.assessTime, 19) || !TIME_RE.test(r.assessTime))
      return 'assessTime: yyyy-MM-dd HH:mm:ss required when rated';
    if (r.satisfaction <= 2) {
      const hasCode = typeof r.evalDetail === 'string' && r.evalDetail !== '';
      const hasText = typeof r.writingEvaluation === 'string' && r.writingEvaluation.trim() !== '';
      if (!hasCode && !hasText) return 'evalDetail: required when satisfaction <= 2 (or a writingEvaluation)';
    }
  } else {
    for (const k of ['satisfaction', 'evalDetail', 'inputSource', 'assessTime'] as const) {
      if (r[k] !== undefined) return `${k}: not allowed when ${String(r.status)}`;
    }
  }
  const problem11 = validate11(r);
  if (problem11) return problem11;
  if (r.groupId !== undefined && !isStr(r.groupId, 64)) return 'groupId: string required';
  if (r.groupType !== undefined && r.groupType !== 'batch' && r.groupType !== 'chain')
    return 'groupType: "batch" or "chain"';
  if ((r.groupId === undefined) !== (r.groupType === undefined))
    return 'groupType: groupId and groupType go together';
  if (!isInt(r.deviceSeq) || r.deviceSeq < 1) return 'deviceSeq: integer >= 1 required';
  if (!isInt(r.deviceTimeMs)) return 'deviceTimeMs: integer required';
  if (!isInt(r.clockOffsetMs)) return 'clockOffsetMs: integer required';
  if (r.clockUnsynced !== undefined && r.clockUnsynced !== true)
    return 'clockUnsynced: true or absent (hcp-kiosk extension)';
  if (r.riskFlags !== undefined && (!Array.isArray(r.riskFlags) || r.riskFlags.some((f) => !isStr(f, 64))))
    return 'riskFlags: array of strings';
  if (typeof r.prevHash !== 'string' || !HEX64.test(r.prevHash))
    return 'prevHash: 64 lowercase hex digits required';
  if (typeof r.hash !== 'string' || !HEX64.test(r.hash)) return 'hash: 64 lowercase hex digits required';
  if (recordHash(r) !== r.hash) return 'hash: does not match the record';
  return null;
}
