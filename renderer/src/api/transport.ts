/**
 * Picks the transport: Electron's preload bridge when `window.kiosk` exists, else the browser
 * shell's WebSocket with the token the shell put in the URL hash.
 */
import {
  ApiError,
  type CommandName,
  type CommandParams,
  type CommandResult,
  type EventName,
  type KioskClient,
  type KioskEvents,
} from '../../../src/api/contract.js';
import { createWsClient, type ConnectionState, type SocketLike } from './ws-client.js';
import { tokenFromHash, wsUrl } from './token.js';

export interface Transport {
  client: KioskClient;
  kind: 'electron' | 'browser';
  onConnection(listener: (state: ConnectionState) => void): () => void;
  initialState: ConnectionState;
}

const TOKEN_KEY = 'hcp-kiosk-token';

declare global {
  interface Window {
    kiosk?: KioskClient;
  }
}

/** Errors from the preload arrive as plain Errors carrying {code, message}; make them ApiErrors. */
function normalise(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { code?: unknown; message?: unknown; field?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : 'internal';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return new ApiError(code, message, typeof e?.field === 'string' ? e.field : undefined);
}

function electronTransport(bridge: KioskClient): Transport {
  const client: KioskClient = {
    async invoke<K extends CommandName>(method: K, params: CommandParams<K>): Promise<CommandResult<K>> {
      try {
        return await bridge.invoke(method, params);
      } catch (err) {
        throw normalise(err);
      }
    },
    on<E extends EventName>(event: E, listener: (payload: KioskEvents[E]) => void) {
      return bridge.on(event, listener);
    },
  };
  return { client, kind: 'electron', onConnection: () => () => undefined, initialState: 'open' };
}

export function readToken(): string | null {
  const fromHash = tokenFromHash(window.location.hash);
  try {
    if (fromHash) {
      sessionStorage.setItem(TOKEN_KEY, fromHash);
      return fromHash;
    }
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return fromHash;
  }
}

export function createTransport(): Transport {
  if (window.kiosk && typeof window.kiosk.invoke === 'function') return electronTransport(window.kiosk);
  const token = readToken() ?? '';
  const ws = createWsClient({
    url: wsUrl(window.location.protocol, window.location.host, token),
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
  });
  return { client: ws, kind: 'browser', onConnection: (l) => ws.onConnection(l), initialState: ws.state };
}
