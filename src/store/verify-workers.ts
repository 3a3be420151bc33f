import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { bodyDecoder } from './body-decoder.js';
import { walkChainRange, type WalkRange, type WalkResult } from './chain-walk.js';
import { recordVersions } from './record-codec.js';
import { restoreRowValues } from './row-values.js';
import { reusedInflater } from './reused-inflater.js';
import { bytesStringFieldIs, fieldIs, fieldNeedle } from './verify.js';

/**
 * The worker threads of verify-parallel.ts (decision 205): each runs chain-walk.ts's walk over
 * ranges of the chain with its own read-only connection, taking the next range not yet given out
 * whenever it has walked one, so that a thread the machine slows down walks fewer ranges instead
 * of holding up the answer (the other work on a pad, or on a shared machine, does not slow both
 * threads alike).
 *
 * The worker is an `eval` worker running the walk's own source text (as integrity-watch.ts
 * does), so no worker file has to be found next to the sources or the bundles.
 */

export type CleanWalk = Extract<WalkResult, { clean: true }>;

/** Ranges a worker holds at once: the next one waits in its port while it walks one. */
const QUEUED_PER_WORKER = 2;

/**
 * Longest wait for the next answer (a range of a 1,000,000-record chain takes a quarter of a
 * second): a worker that hangs is no answer either, and the caller's careful walk gives it.
 */
const ANSWER_WITHIN_MS = 120_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Sqlite = require(workerData.sqlite);
const zlib = require('node:zlib');
const { hash } = require('node:crypto');
const { isUtf8 } = require('node:buffer');
// Source text run under a TypeScript loader may call its name-keeping helper.
const __name = (f) => f;
const ${reusedInflater.name} = ${reusedInflater.toString()};
const ${bodyDecoder.name} = ${bodyDecoder.toString()};
const ${restoreRowValues.name} = ${restoreRowValues.toString()};
const ${fieldIs.name} = ${fieldIs.toString()};
const ${bytesStringFieldIs.name} = ${bytesStringFieldIs.toString()};
const ${fieldNeedle.name} = ${fieldNeedle.toString()};
const ${walkChainRange.name} = ${walkChainRange.toString()};
const decoder = ${bodyDecoder.name}(zlib, ${reusedInflater.name}, workerData.versions, ${restoreRowValues.name});
const env = {
  sha256Hex: (text) => hash('sha256', text, 'hex'),
  unpackHex: decoder.hex,
  withoutRowValues: decoder.withoutRowValues,
  unpackHexBytes: decoder.hexBytes,
  sha256HexOfBytes: (bytes) => hash('sha256', bytes, 'hex'),
  isUtf8,
  bytesStringFieldIs: ${bytesStringFieldIs.name},
  fieldIs: ${fieldIs.name},
  fieldNeedle: ${fieldNeedle.name},
};
const db = new Sqlite(workerData.path, { readonly: true, fileMustExist: true });
// A range a message, answered in the order they came; null: no more.
parentPort.on('message', (range) => {
  if (range === null) {
    db.close();
    parentPort.close();
    return;
  }
  parentPort.postMessage(${walkChainRange.name}(env, db, range));
});
`;

const isSeq = (v: unknown): v is number => Number.isSafeInteger(v);

/** A worker's answer, checked: a clean walk, 'not clean', or null for anything else. */
function asWalkResult(message: unknown): WalkResult | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  if (m.clean === false) return isSeq(m.atSeq) ? { clean: false, atSeq: m.atSeq } : null;
  if (m.clean !== true || !isSeq(m.count) || !isSeq(m.lastSeq) || typeof m.lastHash !== 'string') return null;
  return { clean: true, count: m.count, lastSeq: m.lastSeq, lastHash: m.lastHash };
}

/**
 * walkChainRange over every range, in `workers` threads on the file at `path`: the clean answers
 * in the order of the ranges, or null as soon as a range is not clean or a worker cannot start,
 * fails or answers something else (the ranges not yet walked then are not; a worker that cannot
 * start or fails is not evidence about the chain, and the caller's careful walk answers), or
 * null when no answer comes for `answerWithinMs`.
 */
export function walkInWorkers(
  path: string,
  ranges: readonly WalkRange[],
  workers: number,
  answerWithinMs = ANSWER_WITHIN_MS,
): Promise<CleanWalk[] | null> {
  return new Promise((resolve) => {
    const answers: CleanWalk[] = [];
    const started: Worker[] = [];
    let given = 0;
    let answered = 0;
    let settled = false;
    const silence = setTimeout(() => settle(null), answerWithinMs);
    const settle = (answer: CleanWalk[] | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      // Done: each closes its connection and ends; failed: what is left is not walked.
      for (const w of started) {
        if (answer === null) void w.terminate();
        else w.postMessage(null);
      }
      resolve(answer);
    };
    const start = (): void => {
      // Indexes of the ranges this worker was given and has not answered, in the order given.
      const held: number[] = [];
      let worker: Worker;
      try {
        worker = new Worker(WORKER_SOURCE, {
          eval: true,
          // The source is plain JavaScript: no loader of the parent's (a TypeScript one under tsx)
          // is started in the thread, which took ~50 ms of each worker's start.
          execArgv: [],
          workerData: {
            sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
            path,
            versions: recordVersions(),
          },
        });
      } catch {
        settle(null);
        return;
      }
      started.push(worker);
      const give = (): void => {
        while (held.length < QUEUED_PER_WORKER && given < ranges.length) {
          held.push(given);
          worker.postMessage(ranges[given]);
          given += 1;
        }
      };
      worker.on('message', (message: unknown) => {
        const result = asWalkResult(message);
        const index = held.shift();
        // A clean walk of a range counts its records from the range's start: an answer that does
        // not is not this range's (a worker answering one range twice).
        if (
          result === null ||
          !result.clean ||
          index === undefined ||
          result.count !== result.lastSeq - (ranges[index] as WalkRange).prevSeq
        ) {
          settle(null);
          return;
        }
        answers[index] = result;
        answered += 1;
        silence.refresh();
        if (answered === ranges.length) settle(answers);
        else give();
      });
      worker.once('error', () => settle(null));
      worker.once('exit', () => {
        if (held.length > 0) settle(null);
      });
      give();
    };
    if (ranges.length === 0) settle(answers);
    for (let i = 0; i < workers && !settled && i * QUEUED_PER_WORKER < ranges.length; i++) start();
    // No worker (`workers` below 1): no answer.
    if (started.length === 0) settle(null);
  });
}
