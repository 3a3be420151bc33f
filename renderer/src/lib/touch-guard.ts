/**
 * One touch counts once on a wall-mounted pad. Decides, per pointer gesture, whether it is a
 * deliberate tap:
 * - a ghost touch (contact shorter than `minContactMs`, typical of resistive panels and of
 *   sleeves brushing a capacitive one) does not count;
 * - a palm (a contact wider than `palmPx`, or a second finger down while the first is) spoils the
 *   whole gesture: nothing counts until every finger is lifted;
 * - a drag (moved more than `slopPx`) or a rest longer than `maxContactMs` does not count;
 * - after a tap is taken, a tap within `lockoutMs` and within `repeatRadiusPx` of it is the same
 *   press firing twice (resistive double-fire, a bouncing finger) and does not count, on whatever
 *   screen is showing by then; a tap elsewhere is a new press (two reasons chosen quickly, typing
 *   on the on-screen keyboard) and counts;
 * - after a board key is taken, every touch for `lockoutMs` loses: the first input wins.
 * Mouse clicks go through the same rules (cheap resistive panels present themselves as a mouse);
 * keyboard activation (detail 0) has no position and only meets the board key's lock-out and its
 * own repeat.
 */
export interface TouchGuardOptions {
  minContactMs: number;
  maxContactMs: number;
  palmPx: number;
  slopPx: number;
  lockoutMs: number;
  repeatRadiusPx: number;
}

export const DEFAULT_TOUCH_GUARD: TouchGuardOptions = {
  minContactMs: 30,
  maxContactMs: 2500,
  palmPx: 60,
  slopPx: 30,
  lockoutMs: 400,
  // A double-fire lands within a few pixels of the first; a finger aiming at another button
  // lands at least a button's width away (buttons are ≥ 9 mm, about 50 px on the pad).
  repeatRadiusPx: 40,
};

interface Contact {
  x: number;
  y: number;
  downMs: number;
  maxSize: number;
  moved: number;
}

export interface PointerLike {
  pointerId: number;
  pointerType: string;
  clientX: number;
  clientY: number;
  width: number;
  height: number;
  timeStamp?: number;
}

/** What `install` listens on (the window); structural so this module also loads outside a browser. */
export interface PointerSource {
  addEventListener(type: string, listener: (e: PointerLike) => void, capture: boolean): void;
}

export type Verdict = 'tap' | 'ghost' | 'palm' | 'drag' | 'held' | 'repeat' | 'unknown';

export class TouchGuard {
  private contacts = new Map<number, Contact>();
  private spoiled = false;
  /** The last press taken: where (none for a board key or the keyboard) and when. */
  private lastTaken: { ms: number; source: 'pointer' | 'key' | 'board'; x: number; y: number } = {
    ms: -Infinity,
    source: 'board',
    x: 0,
    y: 0,
  };
  /** the last decisions, newest last (for the technician's view and the tests) */
  readonly recent: Verdict[] = [];

  constructor(
    private readonly opts: TouchGuardOptions = DEFAULT_TOUCH_GUARD,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private lastUp: { pointerId: number; verdict: Verdict } | null = null;

  /** The verdict of the pointer's gesture that just ended (read by the button it ended on). */
  verdictFor(pointerId: number): Verdict {
    return this.lastUp?.pointerId === pointerId ? this.lastUp.verdict : 'unknown';
  }

  /** Feeds the guard from the window (capture phase), so every contact is seen wherever it lands. */
  install(target: PointerSource): void {
    target.addEventListener('pointerdown', (e) => this.down(e), true);
    target.addEventListener('pointermove', (e) => this.move(e), true);
    target.addEventListener(
      'pointerup',
      (e) => (this.lastUp = { pointerId: e.pointerId, verdict: this.up(e) }),
      true,
    );
    target.addEventListener('pointercancel', (e) => this.up(e, true), true);
  }

  down(e: PointerLike): void {
    // A contact whose end never arrived (its element vanished) must not spoil every later tap.
    for (const [id, c] of this.contacts)
      if (this.now() - c.downMs > this.opts.maxContactMs * 2) this.contacts.delete(id);
    if (this.contacts.size === 0) this.spoiled = false;
    if (this.contacts.size > 0) this.spoiled = true; // a second contact: palm or two fingers
    const size = Math.max(e.width, e.height);
    if (e.pointerType === 'touch' && size > this.opts.palmPx) this.spoiled = true;
    this.contacts.set(e.pointerId, {
      x: e.clientX,
      y: e.clientY,
      // The same time base as the lift (the events' own stamps): a busy page handling the down
      // late must not make a 100 ms tap look like a ghost.
      downMs: this.at(e),
      maxSize: size,
      moved: 0,
    });
  }

  move(e: PointerLike): void {
    const c = this.contacts.get(e.pointerId);
    if (!c) return;
    c.maxSize = Math.max(c.maxSize, e.width, e.height);
    c.moved = Math.max(c.moved, Math.hypot(e.clientX - c.x, e.clientY - c.y));
    if (e.pointerType === 'touch' && c.maxSize > this.opts.palmPx) this.spoiled = true;
  }

  /** The pointer went up or was cancelled: does this gesture count as a tap? */
  up(e: PointerLike, cancelled = false): Verdict {
    const c = this.contacts.get(e.pointerId);
    this.contacts.delete(e.pointerId);
    const spoiled = this.spoiled;
    if (this.contacts.size === 0) this.spoiled = false;
    if (!c || cancelled) return this.note('unknown');
    if (spoiled) return this.note('palm');
    if (e.pointerType !== 'mouse') {
      const held = this.at(e) - c.downMs;
      if (held < this.opts.minContactMs) return this.note('ghost');
      if (held > this.opts.maxContactMs) return this.note('held');
      c.moved = Math.max(c.moved, Math.hypot(e.clientX - c.x, e.clientY - c.y));
      if (c.moved > this.opts.slopPx) return this.note('drag');
    }
    return this.take({ source: 'pointer', x: e.clientX, y: e.clientY }, this.at(e));
  }

  /** When the contact happened: the event's own time (the panel's), not when a busy page got to it. */
  private at(e: PointerLike): number {
    return e.timeStamp !== undefined && e.timeStamp > 0 ? e.timeStamp : this.now();
  }

  /** Keyboard activation (or assistive technology): counts unless within the lock-out. */
  key(): Verdict {
    return this.take({ source: 'key', x: 0, y: 0 });
  }

  /** A press taken elsewhere (a board key): starts the lock-out so a touch cannot fire with it. */
  external(): void {
    this.lastTaken = { ms: this.now(), source: 'board', x: 0, y: 0 };
  }

  /** `atMs`: when the press happened (a pointer's own stamp; a busy page may see it late). */
  private take(press: { source: 'pointer' | 'key'; x: number; y: number }, atMs = this.now()): Verdict {
    const last = this.lastTaken;
    if (atMs - last.ms < this.opts.lockoutMs && this.isSamePress(last, press)) return this.note('repeat');
    this.lastTaken = { ms: atMs, ...press };
    return this.note('tap');
  }

  private isSamePress(
    last: { source: 'pointer' | 'key' | 'board'; x: number; y: number },
    press: { source: 'pointer' | 'key'; x: number; y: number },
  ): boolean {
    if (last.source === 'board') return true; // the key came first: it wins
    if (last.source !== press.source) return false;
    if (press.source === 'key') return true;
    return Math.hypot(press.x - last.x, press.y - last.y) <= this.opts.repeatRadiusPx;
  }

  private note(v: Verdict): Verdict {
    this.recent.push(v);
    if (this.recent.length > 50) this.recent.shift();
    return v;
  }
}

/** One guard for the whole citizen side: the lock-out spans screen changes. */
export const touchGuard = new TouchGuard();
