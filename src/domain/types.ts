export interface Norms {
  version: string;
  items: Array<{ code: string; starLevel: number; name: string }>;
}

export interface StaffMember {
  staffId: string;
  name: string;
  title: string;
  windowNos: string[];
  photoUrl?: string | null;
  pin?: string | null;
  /** SHA-256 hex of the badge secret; absent: no badge sign-in */
  badge?: string | null;
}

export interface HallIdentity {
  hallCode: string;
  hallName: string;
  windowNo: string;
  areaCode: string;
}

export interface TimingConfig {
  rateTimeoutS: number;
  reasonsTimeoutS: number;
  optionalExtrasTimeoutS: number;
  thanksS: number;
  appealWorkingDays: number;
}

export type Logger = (
  level: 'debug' | 'info' | 'warn' | 'error',
  msg: string,
  fields?: Record<string, unknown>,
) => void;

export interface AppealCounts {
  /** No appeal filed and the deadline has not passed. */
  open: number;
  /** No appeal filed and the deadline has passed. */
  expired: number;
  /** No appeal filed and the holiday calendar cannot tell the deadline. */
  unknownCalendar: number;
  /** Filed, no answer from the platform yet. */
  filed: number;
  accepted: number;
  rejected: number;
}

/**
 * The figures of docs/protocols/rules.md 三(二) for a staff member or a window, as the pad saw them
 * (QR and SMS ratings are the platform's). Computed in store/figures.ts, shown by the staff panel.
 */
export interface Figures {
  /** Every case started, cancelled ones included. */
  started: number;
  rated: number;
  /** Closed unrated, abandoned 差评 included. */
  unrated: number;
  /** Unrated after a 差评 star whose reasons step ran out (a 差评 lead, followed up by the platform). */
  abandonedBad: number;
  cancelled: number;
  /** Still open, or closed but not yet released to the staff side (anti-interference). */
  pending: number;
  goodCount: number;
  badCount: number;
  /** 评价覆盖率 = rated ÷ started; null when nothing was started. */
  coverageRate: number | null;
  /** 未评率 = unrated ÷ started. */
  unratedRate: number | null;
  /** 服务满意率: good (3–5 stars) ÷ rated; null when nothing was rated. */
  satisfactionRate: number | null;
  /** The appeal state of the period's 差评; the counts add up to badCount. */
  badAppeals: AppealCounts;
}
