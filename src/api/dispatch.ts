import type { z } from 'zod';
import { DomainError } from '../domain/errors.js';
import {
  apiErrorBody,
  commandSchemas,
  describeZodError,
  type ApiErrorBody,
  type CommandName,
  type CommandResult,
} from './contract.js';

/** What a connection is allowed to do; one per IPC window or WebSocket connection. */
export interface ClientSession {
  techUnlocked: boolean;
  /** when the technician screens were last used (they relock when idle) */
  techTouchMs?: number;
  /** the staff panel opened with this member's PIN (host/access.ts) */
  staffPanel?: { staffId: string; epoch: number; lastTouchMs: number } | null;
}

export type Handlers = {
  [K in CommandName]: (
    params: z.output<(typeof commandSchemas)[K]>,
    session: ClientSession,
  ) => CommandResult<K> | Promise<CommandResult<K>>;
};

export type Dispatch = (
  method: string,
  params: unknown,
  session: ClientSession,
) => Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorBody }>;

/**
 * The core's edge for both transports: unknown methods and params that fail their schema are
 * answered with an error naming the problem, before any handler runs.
 */
export function createDispatcher(
  handlers: Handlers,
  log: (msg: string, fields?: Record<string, unknown>) => void,
): Dispatch {
  return async (method, params, session) => {
    if (!Object.prototype.hasOwnProperty.call(commandSchemas, method)) {
      return {
        ok: false,
        error: {
          code: 'unknown_method',
          message: `未知命令 / unknown command: ${String(method).slice(0, 64)}`,
        },
      };
    }
    const name = method as CommandName;
    const parsed = commandSchemas[name].safeParse(params ?? {});
    if (!parsed.success) {
      const { message, field } = describeZodError(parsed.error);
      return {
        ok: false,
        error: { code: 'invalid', message: `参数有误 / invalid params for ${name}: ${message}`, field },
      };
    }
    try {
      const handler = handlers[name] as (p: unknown, s: ClientSession) => unknown;
      const result = await handler(parsed.data, session);
      return { ok: true, result };
    } catch (err) {
      if (err instanceof DomainError) return { ok: false, error: apiErrorBody(err) };
      log('command failed', { method: name, error: (err as Error).message });
      return {
        ok: false,
        error: { code: 'internal', message: `内部错误 / internal error: ${(err as Error).message}` },
      };
    }
  };
}
