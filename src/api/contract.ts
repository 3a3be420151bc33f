/**
 * The one API between the renderer and the core. Both transports (Electron IPC and the browser
 * shell's WebSocket) carry exactly these commands and events; the core validates every command's
 * params with the schema below before anything runs. This file must stay free of Node imports:
 * the renderer imports it too.
 */
import { z } from 'zod';
import type { CitizenSettings } from './citizen.js';
import { DomainError } from '../domain/errors.js';
import type { Figures } from '../domain/types.js';
import { techSettingsCommands, type TechSettingsResults } from './tech-settings.js';

/**
 * Text from outside (business system, screen, scanner): control characters, format characters
 * (zero-width, BOM) and bidi overrides are refused — they hide or reorder what staff, citizens
 * and the platform see — and the text is stored NFC, so one case number has one spelling.
 */
const UNSAFE_TEXT = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]/u;
const UNSAFE_TEXT_MULTILINE = /[\p{Cf}\p{Co}\p{Cs}\u2028\u2029]|(?![\n])\p{Cc}/u;
export function safeText(min: number, max: number, opts: { multiline?: boolean } = {}) {
  const bad = opts.multiline ? UNSAFE_TEXT_MULTILINE : UNSAFE_TEXT;
  return z
    .string()
    .refine((v) => !bad.test(v), {
      message: 'contains control, format or bidi characters / 含有控制字符、格式字符或双向控制字符',
    })
    .transform((v) => v.normalize('NFC').trim())
    .pipe(z.string().min(min).max(max));
}

const staffIdSchema = safeText(1, 32);
const evaluationIdSchema = z.string().min(1).max(64);

export const caseInputSchema = z
  .object({
    projectNo: safeText(1, 50),
    taskCode: safeText(1, 50),
    taskName: safeText(1, 200),
    promiseType: z.union([z.literal(1), z.literal(2)]),
    serviceNumber: z.number().int().min(1).max(9999).optional(),
  })
  .strict();
export type CaseInput = z.infer<typeof caseInputSchema>;

/** Shared by the window API's POST /v1/evaluations and the staff panel's start command. */
export const startEvaluationSchema = z
  .object({
    cases: z.array(caseInputSchema).min(1).max(50),
    groupType: z.enum(['batch', 'chain']).optional(),
    staffId: staffIdSchema.optional(),
    printReceipt: z.boolean().optional(),
    /** window-api 1.1: a retry with the same id within 24 h gets the first answer again */
    requestId: z.string().min(1).max(64).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.cases.length >= 2 && !v.groupType) {
      ctx.addIssue({
        code: 'custom',
        path: ['groupType'],
        message: 'groupType is required for two or more cases',
      });
    }
    if (v.groupType === 'batch' && new Set(v.cases.map((c) => c.taskCode)).size > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['cases'],
        message: 'a batch must be cases of one item (same taskCode)',
      });
    }
    // One case once per evaluation, with or without serviceNumber (domain.md 二(四)2).
    const keys = v.cases.map((c) => c.projectNo);
    if (new Set(keys).size !== keys.length) {
      ctx.addIssue({ code: 'custom', path: ['cases'], message: 'the same case is listed twice' });
    }
  });
export type StartEvaluationInput = z.infer<typeof startEvaluationSchema>;

const empty = z.object({}).strict();

/** Every command: its params schema. Results are typed in `KioskResults`. */
export const commandSchemas = {
  // citizen
  getSnapshot: empty,
  rate: z.object({ evaluationId: evaluationIdSchema, satisfaction: z.number().int().min(1).max(5) }).strict(),
  chooseChainMode: z.object({ evaluationId: evaluationIdSchema, mode: z.enum(['overall', 'each']) }).strict(),
  submitReasons: z
    .object({
      evaluationId: evaluationIdSchema,
      codes: z.array(z.string().min(1).max(16)).max(20),
      comment: safeText(0, 500, { multiline: true }).optional(),
    })
    .strict(),
  // staff
  staffSignIn: z
    .object({ staffId: staffIdSchema, pin: z.string().regex(/^\d{4,12}$/, 'PIN is 4–12 digits') })
    .strict(),
  staffBadge: z.object({ code: z.string().min(1).max(128) }).strict(),
  /** opens the staff panel for this screen session with the signed-in member's PIN */
  staffUnlock: z.object({ pin: z.string().regex(/^\d{4,12}$/, 'PIN is 4–12 digits') }).strict(),
  staffLock: empty,
  /** the panel is being used (touches): keeps it from locking itself */
  staffTouch: empty,
  staffSignOut: empty,
  setWindowState: z.object({ state: z.enum(['on_duty', 'paused']) }).strict(),
  startEvaluation: startEvaluationSchema,
  // The signed-in member's PIN: the control sits on the citizen's rating screen, and a cancel
  // counts against the staff member (frequent_cancel), so a citizen must not be able to do it.
  cancelEvaluation: z
    .object({
      evaluationId: evaluationIdSchema,
      reason: z.enum(['wrong_case', 'citizen_left', 'other']),
      pin: z.string().regex(/^\d{4,12}$/, 'PIN is 4–12 digits'),
    })
    .strict(),
  staffOverview: empty,
  fileAppeal: z
    .object({ recordId: evaluationIdSchema, reason: safeText(5, 500, { multiline: true }) })
    .strict(),
  printReceipt: z.object({ evaluationId: evaluationIdSchema }).strict(),
  catalog: empty,
  // technician
  techUnlock: z.object({ code: z.string().min(4).max(32) }).strict(),
  techStatus: empty,
  techLock: empty,
  boardTest: z.discriminatedUnion('action', [
    z
      .object({ action: z.literal('leds'), modes: z.array(z.number().int().min(0).max(4)).min(1).max(8) })
      .strict(),
    z
      .object({
        action: z.literal('beep'),
        freqHz: z.number().int().min(100).max(8000),
        durationMs: z.number().int().min(1).max(2000),
      })
      .strict(),
  ]),
  boardSelectPort: z.object({ path: z.string().min(1).max(256).nullable() }).strict(),
  boardListPorts: empty,
  printerTestPage: empty,
  syncNow: empty,
  simulatePress: z.object({ key: z.number().int().min(1).max(6) }).strict(),
  // the technician's 设置 tab (tech-settings.ts)
  ...techSettingsCommands,
} as const;

export type CommandName = keyof typeof commandSchemas;
export type CommandParams<K extends CommandName> = z.input<(typeof commandSchemas)[K]>;

// ---- view models -------------------------------------------------------------------------

export type WindowState = 'on_duty' | 'paused' | 'away';
export type Screen = 'idle' | 'chain_choice' | 'rating' | 'reasons' | 'thanks' | 'unrated';

export interface StaffCard {
  staffId: string;
  name: string;
  title: string;
  photoUrl: string | null; // a URL the renderer can load (data: or the shell's own origin)
}

export interface Indicator {
  code: string;
  starLevel: number;
  name: string;
}

export interface PromptItem {
  idx: number;
  taskName: string;
  projectNo: string;
}

export interface CitizenPrompt {
  evaluationId: string;
  groupType: 'batch' | 'chain' | null;
  chainMode: 'overall' | 'each' | null;
  items: PromptItem[];
  currentIdx: number; // the item being rated in chain 'each' mode
  deadlineMs: number; // when this step closes as unrated (pad clock)
  /** reasons step: the star the citizen chose and the indicators offered for it */
  chosen: number | null;
  reasonsRequired: boolean;
  indicators: Indicator[];
}

export interface KioskSnapshot {
  screen: Screen;
  hallName: string;
  windowNo: string;
  windowState: WindowState;
  staff: StaffCard | null;
  prompt: CitizenPrompt | null;
  /** What the staff/technician panel may show; never the citizen's rating. */
  staffPanelOpen: boolean; // false while a rating is open (anti-coercion)
  hardware: { board: 'ok' | 'absent' | 'error'; printer: string; boardSimulated: boolean };
  normVersion: string;
  serverTimeOffsetMs: number;
  /** whether the pad can store a rating now (decisions 192): anything but `ok` shows a banner and refuses new evaluations */
  storage: 'ok' | 'full' | 'read_only' | 'damaged' | 'recovering';
  thanksUntilMs: number | null;
  /** thanks/unrated screen: a receipt with the rating QR of this evaluation is on paper */
  receiptPrinted: boolean;
  /** thanks screen: the star the citizen chose (their own rating, echoed back and spoken) */
  thanksChosen: number | null;
  /** voice, attract screen and quick phrases as the hall configured them */
  citizen: CitizenSettings;
}

/** The figures of docs/protocols/rules.md 三(二): one type, owned by the domain. */
export type { AppealCounts, Figures } from '../domain/types.js';

export interface BadReviewItem {
  recordId: string;
  projectNo: string;
  taskName: string;
  satisfaction: number;
  evalDetail: string[];
  assessTime: string;
  appealDeadline: string | null; // yyyy-MM-dd (CST) or null when the calendar does not cover it
  appealState: 'open' | 'filed' | 'accepted' | 'rejected' | 'expired' | 'unknown_calendar';
}

export interface RecentEvaluation {
  evaluationId: string;
  state: 'waiting' | 'done' | 'cancelled';
  projectNos: string[];
  taskNames: string[];
  startedTime: string;
  receiptPrints: number;
}

export interface StaffOverview {
  staff: StaffCard;
  today: Figures;
  month: Figures;
  /** the same figures for everything started at this window, whoever served */
  window: { windowNo: string; today: Figures; month: Figures };
  badReviews: BadReviewItem[];
  recent: RecentEvaluation[];
  appealWorkingDays: number;
}

export interface CatalogTask {
  taskCode: string;
  taskName: string;
  promiseType: 1 | 2;
}
export interface CatalogChain {
  name: string;
  taskCodes: string[];
}

export interface TechStatus {
  appVersion: string;
  dataDir: string;
  deviceId: string;
  board: {
    state: 'ok' | 'absent' | 'error';
    simulated: boolean;
    path: string | null;
    serial: string | null;
    firmware: string | null;
    bootId: number | null;
    counters: Record<string, number>;
    leds: number[] | null;
    /** the serial this pad's board must report (configured or remembered at first pairing) */
    expectedSerial: string | null;
    /** why the last device tried was not taken as the board, or null */
    refusal: string | null;
  };
  printer: { state: string; paperLow: boolean; detail: string | null; kind: string; lastJob: unknown };
  sync: {
    online: boolean;
    pending: number;
    rejected: number;
    oldestPendingMs: number | null;
    /** the backlog's age: how long the oldest pending record has waited, by the pad's own clock */
    oldestPendingAgeMs: number | null;
    lastAckMs: number | null;
    lastError: string | null;
    nextAttemptMs: number | null;
    rejectedItems: Array<{
      ref: string;
      deviceSeq: number | null;
      code: string | null;
      message: string | null;
    }>;
  };
  db: { sizeBytes: number; schemaVersion: number; integrity: string };
  /** tlsFingerprint: SHA-256 of the window API's own certificate, for clients to pin */
  windowApi: { url: string; tlsFingerprint: string | null };
}

export interface KioskResults extends TechSettingsResults {
  getSnapshot: KioskSnapshot;
  rate: { state: 'rated' | 'reasons' | 'next_item' | 'ignored' };
  chooseChainMode: { ok: true };
  submitReasons: { state: 'rated' | 'next_item' };
  staffSignIn: { staff: StaffCard; lockAfterS: number };
  staffBadge: { staff: StaffCard };
  staffUnlock: { staff: StaffCard; lockAfterS: number };
  staffLock: { ok: true };
  staffTouch: { open: boolean };
  staffSignOut: { ok: true };
  setWindowState: { state: WindowState };
  startEvaluation: { evaluationId: string; state: 'waiting' };
  cancelEvaluation: { ok: true };
  staffOverview: StaffOverview;
  /** deadline null: no calendar covers the dates; the platform decides (platformDecides) */
  fileAppeal: { appealId: string; deadline: string | null; platformDecides: boolean };
  printReceipt: { copy: boolean };
  catalog: { tasks: CatalogTask[]; chains: CatalogChain[] };
  techUnlock: { ok: true };
  techStatus: TechStatus;
  techLock: { ok: true };
  boardTest: { ok: true };
  boardSelectPort: { ok: true };
  boardListPorts: { ports: string[] };
  printerTestPage: { ok: true };
  syncNow: { pending: number };
  simulatePress: { ok: true };
}

export type CommandResult<K extends CommandName> = KioskResults[K];

/** Events pushed from the core. */
export interface KioskEvents {
  snapshot: KioskSnapshot;
  /** raw key seen by the board (for the technician's live key test); carries no rating meaning */
  boardKey: { key: number; counter: number; atMs: number };
  notice: { level: 'info' | 'warn' | 'error'; text: string; audience: 'staff' | 'tech' };
}
export type EventName = keyof KioskEvents;

/** A failed command: `code` is stable, `message` is for people (zh-CN first). */
export interface ApiErrorBody {
  code: string;
  message: string;
  field?: string;
}

/** The contract's error: what a transport answers, and what a client throws on an error answer. */
export class ApiError extends DomainError {
  constructor(code: string, message: string, field?: string, extra?: Record<string, unknown>) {
    super(code, message, field, extra);
    this.name = 'ApiError';
  }
  toBody(): ApiErrorBody {
    return apiErrorBody(this);
  }
}

/** A rule's refusal (DomainError, thrown by the services) as the contract's error answer. */
export function apiErrorBody(err: DomainError): ApiErrorBody {
  return err.field
    ? { code: err.code, message: err.message, field: err.field }
    : { code: err.code, message: err.message };
}

/** What a transport gives the renderer. */
export interface KioskClient {
  invoke<K extends CommandName>(method: K, params: CommandParams<K>): Promise<CommandResult<K>>;
  on<E extends EventName>(event: E, listener: (payload: KioskEvents[E]) => void): () => void;
}

/** Wire messages of the browser shell's WebSocket (the Electron IPC carries the same shapes). */
export const wireRequestSchema = z
  .object({ id: z.number().int().nonnegative(), method: z.string().min(1).max(64), params: z.unknown() })
  .strict();
export type WireRequest = z.infer<typeof wireRequestSchema>;
export type WireMessage =
  | { kind: 'result'; id: number; ok: true; result: unknown }
  | { kind: 'result'; id: number; ok: false; error: ApiErrorBody }
  | { kind: 'event'; event: EventName; payload: unknown };

/** zod issue → one readable sentence naming the field. */
export function describeZodError(err: z.ZodError): { message: string; field: string } {
  const issue = err.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(body)';
  return { field, message: `${field}: ${issue?.message ?? 'invalid'}` };
}
