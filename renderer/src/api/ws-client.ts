/**
 * The browser shell's transport: the contract's commands over one WebSocket. Kept free of DOM
 * types (the socket is injected) so the request/response matching is testable with a fake socket.
 */
import {
  ApiError,
  type ApiErrorBody,
  type CommandName,
  type CommandParams,
  type CommandResult,
  type EventName,
  type KioskEvents,
  type WireMessage,
  type WireRequest,
} from '../../../src/api/contract.js';

/** The part of the browser's WebSocket this client uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WsClientOptions {
  url: string;
  createSocket: (url: string) => SocketLike;
  /** how long one command may wait for its answer (including waiting for a connection) */
  requestTimeoutMs?: number;
  /** back-off before reconnect attempt n (0-based) */
  backoffMs?: (attempt: number) => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface WsKioskClient {
  invoke<K extends CommandName>(method: K, params: CommandParams<K>): Promise<CommandResult<K>>;
  on<E extends EventName>(event: E, listener: (payload: KioskEvents[E]) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  readonly state: ConnectionState;
  close(): void;
}

const OPEN = 1;

/** 0.5 s, 1 s, 2 s … capped at 10 s: a restarting core is back within a few seconds. */
export function defaultBackoff(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.min(attempt, 5));
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: unknown;
  sent: boolean;
  frame: string;
}

export function toApiError(body: Partial<ApiErrorBody> | undefined): ApiError {
  return new ApiError(body?.code ?? 'internal', body?.message ?? '未知错误 / unknown error', body?.field);
}

export function createWsClient(opts: WsClientOptions): WsKioskClient {
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const backoff = opts.backoffMs ?? defaultBackoff;
  const timeoutMs = opts.requestTimeoutMs ?? 15_000;

  let socket: SocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  let attempt = 0;
  let reconnectTimer: unknown = null;
  let closedByUs = false;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const connListeners = new Set<(s: ConnectionState) => void>();

  const setState = (s: ConnectionState) => {
    if (s === state) return;
    state = s;
    for (const l of connListeners) l(s);
  };

  const flush = () => {
    if (!socket || socket.readyState !== OPEN) return;
    for (const p of pending.values()) {
      if (p.sent) continue;
      p.sent = true;
      socket.send(p.frame);
    }
  };

  const handle = (raw: unknown) => {
    let msg: WireMessage;
    try {
      msg = JSON.parse(String(raw)) as WireMessage;
    } catch {
      return;
    }
    if (msg.kind === 'event') {
      const set = listeners.get(msg.event);
      if (set) for (const l of [...set]) l(msg.payload);
      return;
    }
    if (msg.kind !== 'result') return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimer(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(toApiError(msg.error));
  };

  const connect = () => {
    reconnectTimer = null;
    setState('connecting');
    let s: SocketLike;
    try {
      s = opts.createSocket(opts.url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = s;
    s.onopen = () => {
      attempt = 0;
      setState('open');
      flush();
    };
    s.onmessage = (ev) => handle(ev.data);
    s.onerror = () => {
      /* onclose follows and does the work */
    };
    s.onclose = () => {
      if (socket !== s) return;
      socket = null;
      // A command sent on the dead socket has no answer coming: fail it rather than run it twice.
      for (const [id, p] of pending) {
        if (!p.sent) continue;
        pending.delete(id);
        clearTimer(p.timer);
        p.reject(new ApiError('disconnected', '与评价器核心的连接已断开 / connection to the pad core lost'));
      }
      if (closedByUs) {
        setState('closed');
        return;
      }
      setState('closed');
      scheduleReconnect();
    };
  };

  const scheduleReconnect = () => {
    if (closedByUs || reconnectTimer !== null) return;
    const delay = backoff(attempt++);
    reconnectTimer = setTimer(connect, delay);
  };

  connect();

  return {
    get state() {
      return state;
    },
    invoke<K extends CommandName>(method: K, params: CommandParams<K>): Promise<CommandResult<K>> {
      return new Promise<CommandResult<K>>((resolve, reject) => {
        if (closedByUs) {
          reject(new ApiError('disconnected', '客户端已关闭 / client closed'));
          return;
        }
        const id = nextId++;
        const req: WireRequest = { id, method, params: params ?? {} };
        const timer = setTimer(() => {
          if (!pending.delete(id)) return;
          reject(new ApiError('timeout', '评价器核心无响应 / the pad core did not answer'));
        }, timeoutMs);
        pending.set(id, {
          resolve: resolve as (v: unknown) => void,
          reject,
          timer,
          sent: false,
          frame: JSON.stringify(req),
        });
        flush();
      });
    },
    on<E extends EventName>(event: E, listener: (payload: KioskEvents[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    onConnection(listener) {
      connListeners.add(listener);
      return () => connListeners.delete(listener);
    },
    close() {
      closedByUs = true;
      if (reconnectTimer !== null) clearTimer(reconnectTimer);
      reconnectTimer = null;
      for (const [id, p] of pending) {
        pending.delete(id);
        clearTimer(p.timer);
        p.reject(new ApiError('disconnected', '客户端已关闭 / client closed'));
      }
      socket?.close();
      setState('closed');
    },
  };
}
