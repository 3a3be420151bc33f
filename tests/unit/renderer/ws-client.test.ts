import { describe, expect, it } from 'vitest';
import {
  ApiError,
  type KioskSnapshot,
  type WireMessage,
  type WireRequest,
} from '../../../src/api/contract.js';
import { createWsClient, type SocketLike } from '../../../renderer/src/api/ws-client.js';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: WireRequest[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as WireRequest);
  }
  close() {
    this.drop();
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  reply(msg: WireMessage) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

/** Timers under the test's control: run them by hand. */
function manualTimers() {
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let seq = 0;
  return {
    setTimer: (fn: () => void, ms: number) => {
      timers.set(++seq, { fn, ms });
      return seq;
    },
    clearTimer: (h: unknown) => void timers.delete(h as number),
    pending: () => [...timers.values()].map((t) => t.ms),
    fire(ms: number) {
      for (const [id, t] of [...timers]) {
        if (t.ms !== ms) continue;
        timers.delete(id);
        t.fn();
      }
    },
  };
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers = manualTimers();
  const client = createWsClient({
    url: 'ws://127.0.0.1:1/api?token=t',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    requestTimeoutMs: 15_000,
    backoffMs: (n) => 100 * (n + 1),
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
  });
  const last = () => sockets[sockets.length - 1] as FakeSocket;
  return { client, sockets, timers, last };
}

describe('WebSocket client', () => {
  it('queues commands until the socket opens, then matches answers to requests by id', async () => {
    const { client, last } = setup();
    const a = client.invoke('catalog', {});
    const b = client.invoke('rate', { evaluationId: 'E1', satisfaction: 5 });
    expect(last().sent).toHaveLength(0);
    last().open();
    const [ra, rb] = last().sent;
    expect(ra).toMatchObject({ method: 'catalog', params: {} });
    expect(rb).toMatchObject({ method: 'rate', params: { evaluationId: 'E1', satisfaction: 5 } });
    expect(ra?.id).not.toBe(rb?.id);
    // answered out of order
    last().reply({ kind: 'result', id: rb!.id, ok: true, result: { state: 'rated' } });
    last().reply({ kind: 'result', id: ra!.id, ok: true, result: { tasks: [], chains: [] } });
    await expect(b).resolves.toEqual({ state: 'rated' });
    await expect(a).resolves.toEqual({ tasks: [], chains: [] });
  });

  it('turns an error answer into an ApiError with its code and message', async () => {
    const { client, last } = setup();
    last().open();
    const p = client.invoke('staffSignIn', { staffId: 'T0107', pin: '0000' });
    const req = last().sent[0]!;
    last().reply({
      kind: 'result',
      id: req.id,
      ok: false,
      error: { code: 'locked', message: '已锁定 5 分钟', field: 'pin' },
    });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'locked', message: '已锁定 5 分钟', field: 'pin' });
  });

  it('delivers events to their listeners only, and stops after unsubscribe', () => {
    const { client, last } = setup();
    last().open();
    const seen: string[] = [];
    const off = client.on('snapshot', (s: KioskSnapshot) => seen.push(s.screen));
    client.on('boardKey', () => seen.push('key'));
    last().reply({ kind: 'event', event: 'snapshot', payload: { screen: 'rating' } });
    off();
    last().reply({ kind: 'event', event: 'snapshot', payload: { screen: 'idle' } });
    expect(seen).toEqual(['rating']);
  });

  it('fails commands in flight when the socket drops, reconnects with back-off and reports the state', async () => {
    const { client, sockets, timers, last } = setup();
    const states: string[] = [];
    client.onConnection((s) => states.push(s));
    last().open();
    const inFlight = client.invoke('getSnapshot', {});
    last().drop();
    await expect(inFlight).rejects.toMatchObject({ code: 'disconnected' });
    expect(timers.pending()).toContain(100);
    timers.fire(100);
    expect(sockets).toHaveLength(2);
    // the first reconnect fails too: the next wait is longer
    last().drop();
    expect(timers.pending()).toContain(200);
    timers.fire(200);
    expect(sockets).toHaveLength(3);
    const queued = client.invoke('getSnapshot', {});
    last().open();
    const req = last().sent[0]!;
    last().reply({ kind: 'result', id: req.id, ok: true, result: { screen: 'idle' } });
    await expect(queued).resolves.toEqual({ screen: 'idle' });
    expect(states).toEqual(['open', 'closed', 'connecting', 'closed', 'connecting', 'open']);
    expect(client.state).toBe('open');
  });

  it('times a command out when no answer comes', async () => {
    const { client, timers, last } = setup();
    last().open();
    const p = client.invoke('syncNow', {});
    timers.fire(15_000);
    await expect(p).rejects.toMatchObject({ code: 'timeout' });
    // a late answer for it is ignored without harm
    last().reply({ kind: 'result', id: last().sent[0]!.id, ok: true, result: { pending: 0 } });
  });
});
