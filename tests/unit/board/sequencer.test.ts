import { describe, expect, it } from 'vitest';
import { KeySequencer, type BoardPress } from '../../../src/hardware/board/key-sequencer.js';

function harness(opts: { failFirst?: number } = {}) {
  let t = 0;
  const delivered: BoardPress[] = [];
  const acks: number[] = [];
  const logs: Array<[string, Record<string, unknown> | undefined]> = [];
  const resolvers: Array<() => void> = [];
  let manual = false;
  let fails = opts.failFirst ?? 0;
  const s = new KeySequencer({
    now: () => t,
    log: (_level, m, f) => logs.push([m, f]),
    sendAck: (_b, c) => acks.push(c),
    deliver: (p) => {
      if (fails > 0) {
        fails--;
        return Promise.reject(new Error('disk full'));
      }
      delivered.push(p);
      return manual ? new Promise<void>((r) => resolvers.push(r)) : Promise.resolve();
    },
  });
  const key = (counter: number, bootId = 7) =>
    s.receive('SER1', { bootId, counter, key: 1 + (counter % 5), kind: 1, uptimeMs: counter });
  const flush = () => new Promise((r) => setTimeout(r, 0));
  const advance = async (ms: number) => {
    t += ms;
    s.tick();
    await flush();
  };
  return {
    s,
    key,
    delivered,
    acks,
    logs,
    flush,
    advance,
    resolvers,
    setManual: (m: boolean) => (manual = m),
  };
}

describe('KeySequencer', () => {
  it('delivers each key once, in order, and acknowledges cumulatively', async () => {
    const h = harness();
    h.key(1);
    await h.flush();
    h.key(1);
    h.key(2);
    await h.flush();
    h.key(2);
    await h.flush();
    expect(h.delivered.map((p) => p.counter)).toEqual([1, 2]);
    expect(h.acks.filter((a) => a === 2).length).toBeGreaterThan(0);
    expect(h.s.counters.duplicates).toBe(2);
  });

  it('9 before 8: keeps acknowledging 7 until 8 is durable; 9 waits at most 1 s', async () => {
    const h = harness();
    for (let c = 1; c <= 7; c++) h.key(c);
    await h.flush();
    await h.flush();
    expect(Math.max(...h.acks)).toBe(7);
    h.key(9);
    await h.advance(900);
    expect(h.delivered.map((p) => p.counter)).not.toContain(9);
    await h.advance(150);
    expect(h.delivered.map((p) => p.counter)).toContain(9);
    expect(Math.max(...h.acks)).toBe(7);
    h.key(8);
    await h.flush();
    await h.flush();
    expect(h.delivered.map((p) => p.counter)).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 8]);
    expect(Math.max(...h.acks)).toBe(9);
    expect(h.s.counters.lostPresses).toBe(0);
  });

  it('8 arriving within the wait keeps counter order', async () => {
    const h = harness();
    h.key(1);
    h.key(3);
    await h.advance(300);
    h.key(2);
    await h.flush();
    await h.flush();
    await h.flush();
    expect(h.delivered.map((p) => p.counter)).toEqual([1, 2, 3]);
  });

  it('gives a gap up after 5 s, logs the counters, and acknowledges past it', async () => {
    const h = harness();
    h.key(1);
    h.key(4);
    await h.advance(4900);
    expect(Math.max(...h.acks)).toBe(1);
    await h.advance(200);
    expect(h.s.counters.lostPresses).toBe(2);
    expect(Math.max(...h.acks)).toBe(4);
    const lost = h.logs.find(([m]) => m === 'presses lost');
    expect(lost?.[1]?.counters).toEqual([2, 3]);
  });

  it('never acknowledges before the handler resolves', async () => {
    const h = harness();
    h.setManual(true);
    h.key(1);
    h.key(2);
    await h.flush();
    expect(h.acks).toEqual([]);
    h.resolvers.shift()!();
    await h.flush();
    await h.flush();
    expect(h.acks).toEqual([1]);
    h.resolvers.shift()!();
    await h.flush();
    expect(h.acks).toEqual([1, 2]);
  });

  it('a failed handler is retried later and not acknowledged meanwhile', async () => {
    const h = harness({ failFirst: 1 });
    h.key(1);
    await h.flush();
    await h.flush();
    expect(h.acks).toEqual([]);
    await h.advance(1100);
    await h.flush();
    expect(h.delivered.map((p) => p.counter)).toEqual([1]);
    expect(h.acks).toEqual([1]);
  });

  it('a new boot id is a separate stream (no dedupe collision)', async () => {
    const h = harness();
    h.key(1, 100);
    h.key(2, 100);
    await h.flush();
    await h.flush();
    h.key(1, 200);
    await h.flush();
    expect(h.delivered.map((p) => `${p.bootId}/${p.counter}`)).toEqual(['100/1', '100/2', '200/1']);
  });

  it('joining a boot mid-way waits for the oldest resend before acknowledging', async () => {
    const h = harness();
    h.key(41);
    await h.advance(100);
    h.key(40);
    await h.advance(600);
    await h.flush();
    expect(h.delivered.map((p) => p.counter)).toEqual([40, 41]);
    expect(Math.max(...h.acks)).toBe(41);
  });

  it('overflow (PONG bit1) gives up gaps older than the grace time', async () => {
    const h = harness();
    h.key(1);
    h.key(5);
    await h.advance(100);
    expect(h.s.overflowReported('SER1', 7)).toBe(0);
    await h.advance(300);
    expect(h.s.overflowReported('SER1', 7)).toBe(3);
    await h.flush();
    expect(Math.max(...h.acks)).toBe(5);
  });
});
