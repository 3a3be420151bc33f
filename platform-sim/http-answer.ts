import { createHash } from 'node:crypto';
import type http from 'node:http';

/** What a route answers: a status, a JSON body or raw bytes, extra headers. */
export type Answer = {
  status: number;
  body?: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
};

/** A refusal with its HTTP status and the platform's error code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

/** `YYYY-MM-DD HH:mm:ss` (CST), the platform's time format. */
export const TIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export function etagOf(text: string | Buffer): string {
  return `"${createHash('sha256').update(text).digest('hex').slice(0, 24)}"`;
}

/** The request body, or null when it is larger than `limit` (declared or actual). */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
