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
