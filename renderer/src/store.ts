import { create } from 'zustand';
import type {
  CommandName,
  CommandParams,
  CommandResult,
  KioskClient,
  KioskEvents,
  KioskSnapshot,
} from '../../src/api/contract.js';
import type { CitizenLang } from '../../src/api/citizen.js';
import type { ConnectionState } from './api/ws-client.js';
import { touchGuard } from './lib/touch-guard.js';
import type { Transport } from './api/transport.js';

export type Panel = 'none' | 'staff' | 'tech';

export interface Notice {
  id: number;
  level: KioskEvents['notice']['level'];
  text: string;
  audience: KioskEvents['notice']['audience'];
  atMs: number;
}

interface KioskState {
  client: KioskClient | null;
  transportKind: 'electron' | 'browser';
  connection: ConnectionState;
  snapshot: KioskSnapshot | null;
  /** when the latest snapshot arrived (renderer clock), for "stale" hints */
  snapshotAtMs: number;
  panel: Panel;
  /** this screen session opened the staff panel with the PIN (the core enforces it too) */
  staffUnlock: { staffId: string; lockAfterS: number } | null;
  largeType: boolean;
  highContrast: boolean;
  notices: Notice[];
  /** the citizen's language for the current evaluation only (back to zh-CN when it closes) */
  lang: CitizenLang;
  langFor: string | null;
  /** the latest star key the board reported, for the rating screen's "key received" feedback */
  lastKey: { key: number; atMs: number } | null;
  /** when someone last touched the screen, and when the pad last became idle (attract timer) */
  lastActivityMs: number;
  idleSinceMs: number;
  noteActivity(): void;
  setLang(lang: CitizenLang): void;
  setPanel(panel: Panel): void;
  setStaffUnlock(unlock: { staffId: string; lockAfterS: number } | null): void;
  toggleLargeType(): void;
  toggleHighContrast(): void;
  dismissNotice(id: number): void;
}

const PREFS_KEY = 'hcp-kiosk-a11y';

function loadPrefs(): { largeType: boolean; highContrast: boolean } {
  try {
    const raw = localStorage.getItem(PREFS_KEY);
    if (raw) {
      const p = JSON.parse(raw) as { largeType?: unknown; highContrast?: unknown };
      return { largeType: p.largeType === true, highContrast: p.highContrast === true };
    }
  } catch {
    /* storage unavailable: defaults */
  }
  return { largeType: false, highContrast: false };
}

function savePrefs(p: { largeType: boolean; highContrast: boolean }): void {
  try {
    localStorage.setItem(PREFS_KEY, JSON.stringify(p));
  } catch {
    /* not persisted: fine */
  }
}

export const useKiosk = create<KioskState>((set, get) => ({
  client: null,
  transportKind: 'browser',
  connection: 'connecting',
  snapshot: null,
  snapshotAtMs: 0,
  panel: 'none',
  staffUnlock: null,
  notices: [],
  lang: 'zh-CN',
  langFor: null,
  lastKey: null,
  lastActivityMs: Date.now(),
  idleSinceMs: Date.now(),
  noteActivity() {
    set({ lastActivityMs: Date.now() });
  },
  ...loadPrefs(),
  setLang(lang) {
    set({ lang, langFor: get().snapshot?.prompt?.evaluationId ?? null });
  },
  setPanel(panel) {
    // The staff side can only be opened while the core allows it (never while a rating is open).
    if (panel !== 'none' && get().snapshot?.staffPanelOpen !== true) return;
    // Leaving the staff panel locks it: the next opening asks the PIN again.
    if (panel !== 'staff' && get().staffUnlock) lockStaffPanel();
    set({ panel });
  },
  setStaffUnlock(staffUnlock) {
    set({ staffUnlock });
  },
  toggleLargeType() {
    const largeType = !get().largeType;
    set({ largeType });
    savePrefs({ largeType, highContrast: get().highContrast });
  },
  toggleHighContrast() {
    const highContrast = !get().highContrast;
    set({ highContrast });
    savePrefs({ largeType: get().largeType, highContrast });
  },
  dismissNotice(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
}));

/** Applies a snapshot; a prompt opening closes whatever staff/technician panel was open. */
export function applySnapshot(snapshot: KioskSnapshot): void {
  const { panel } = useKiosk.getState();
  const mustClose = panel !== 'none' && (!snapshot.staffPanelOpen || snapshot.prompt !== null);
  // The language chosen for one evaluation lasts through its thanks screen, never into the next.
  const { lang, langFor, snapshot: before } = useKiosk.getState();
  const becameIdle = snapshot.screen === 'idle' && before?.screen !== 'idle';
  const id = snapshot.prompt?.evaluationId ?? null;
  const langEnds = lang !== 'zh-CN' && (snapshot.screen === 'idle' || (id !== null && id !== langFor));
  // An evaluation starting (or the signed-in member changing) locks the panel, as the core does.
  const unlock = useKiosk.getState().staffUnlock;
  const mustLock =
    unlock !== null && (snapshot.prompt !== null || snapshot.staff?.staffId !== unlock.staffId);
  useKiosk.setState({
    snapshot,
    snapshotAtMs: Date.now(),
    ...(mustClose ? { panel: 'none' as Panel } : {}),
    ...(langEnds ? { lang: 'zh-CN' as const, langFor: null } : {}),
    ...(becameIdle ? { idleSinceMs: Date.now() } : {}),
    ...(mustLock ? { staffUnlock: null } : {}),
  });
}

/** Locks the staff panel here and in the core (best effort: the core also locks on its own). */
export function lockStaffPanel(): void {
  useKiosk.setState({ staffUnlock: null });
  invoke('staffLock', {}).catch(() => {
    /* the core's own timer locks it anyway */
  });
}

let noticeSeq = 1;

/** Three frames at 60 Hz: the thanks screen's own budget. */
const KEY_HIGHLIGHT_AFTER_MS = 50;

/** Wires a transport into the store: snapshot events, re-fetch on (re)connect, notices. */
export function connectStore(transport: Transport): () => void {
  const { client } = transport;
  useKiosk.setState({ client, transportKind: transport.kind, connection: transport.initialState });
  const highlights = new Set<ReturnType<typeof setTimeout>>();
  const refresh = () => {
    client.invoke('getSnapshot', {}).then(applySnapshot, () => {
      /* the next (re)connect or snapshot event brings it */
    });
  };
  const offs = [
    client.on('snapshot', applySnapshot),
    client.on('boardKey', (k) => {
      // A star key taken on the board starts the touch lock-out: a touch in the same moment is
      // the same citizen's second input, not a second rating.
      if (k.key <= 5) touchGuard.external();
      // The star's highlight waits KEY_HIGHLIGHT_AFTER_MS: the core's snapshot (thanks, or the
      // reasons step) follows a key within a few milliseconds and replaces the rating screen, and
      // a highlight drawn first would cost the thanks screen a frame of its own on a small board
      // for a flash nobody sees. When the snapshot is late (a slow disk) the highlight shows then.
      const lastKey = { key: k.key, atMs: Date.now() };
      const timer = setTimeout(() => {
        highlights.delete(timer);
        useKiosk.setState({ lastKey });
      }, KEY_HIGHLIGHT_AFTER_MS);
      highlights.add(timer);
    }),
    client.on('notice', (n) => {
      const notice: Notice = { ...n, id: noticeSeq++, atMs: Date.now() };
      useKiosk.setState({ notices: [...useKiosk.getState().notices, notice].slice(-5) });
      setTimeout(() => useKiosk.getState().dismissNotice(notice.id), 12_000);
    }),
    transport.onConnection((connection) => {
      useKiosk.setState({ connection });
      if (connection === 'open') refresh();
    }),
  ];
  refresh();
  return () => {
    offs.forEach((off) => off());
    highlights.forEach((t) => clearTimeout(t));
  };
}

/** Runs a command through the current client (rejects when there is none yet). */
export function invoke<K extends CommandName>(
  method: K,
  params: CommandParams<K>,
): Promise<CommandResult<K>> {
  const client = useKiosk.getState().client;
  if (!client)
    return Promise.reject(Object.assign(new Error('未连接 / not connected'), { code: 'disconnected' }));
  return client.invoke(method, params).catch((err: unknown) => {
    // The core locked the panel (time, an evaluation, another sign-in): show the PIN pad again.
    if (errorCode(err) === 'staff_locked') useKiosk.setState({ staffUnlock: null });
    throw err;
  });
}

export function errorText(err: unknown): string {
  if (
    err &&
    typeof err === 'object' &&
    'message' in err &&
    typeof (err as { message: unknown }).message === 'string'
  ) {
    return (err as { message: string }).message;
  }
  return String(err);
}

export function errorCode(err: unknown): string | null {
  return err &&
    typeof err === 'object' &&
    'code' in err &&
    typeof (err as { code: unknown }).code === 'string'
    ? (err as { code: string }).code
    : null;
}
