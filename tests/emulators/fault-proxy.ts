import net from 'node:net';

/**
 * A TCP proxy between the pad and the platform that misbehaves on purpose (testing-faults.md):
 * each new connection draws one mode. `drop` forwards the request and lets the platform commit,
 * then kills the connection the moment the answer starts: only dedupe by evaluationId saves the pad.
 */
export type ProxyMode = 'pass' | 'reset' | 'stall' | 'trickle' | '503' | '429' | 'drop';
export type FaultMix = Partial<Record<Exclude<ProxyMode, 'pass'>, number>>;

export interface FaultProxyOptions {
  /** Upstream, e.g. `http://127.0.0.1:8080`. */
  target: string;
  port?: number;
  host?: string;
  /** Probability per connection of each mode; the rest pass. */
  modes?: FaultMix;
  trickleBytesPerS?: number;
  retryAfterS?: number;
  /**
   * Rewrites `Connection: keep-alive` to `close` in each request so every request gets its own
   * connection (and its own draw); otherwise one healthy keep-alive connection carries everything.
   */
  perRequest?: boolean;
  random?: () => number;
}

export interface FaultProxy {
  url: string;
  close(): Promise<void>;
  setModes(m: FaultMix): void;
  stats(): { connections: number; byMode: Record<ProxyMode, number> };
}

const MODES: Array<Exclude<ProxyMode, 'pass'>> = ['reset', 'stall', 'trickle', '503', '429', 'drop'];

function kill(s: net.Socket): void {
  if (s.destroyed) return;
  const rst = (s as net.Socket & { resetAndDestroy?: () => void }).resetAndDestroy;
  if (typeof rst === 'function') rst.call(s);
  else s.destroy();
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const upstreamPort = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const upstreamHost = target.hostname;
  let modes: FaultMix = { ...opts.modes };
  const random = opts.random ?? Math.random;
  const perRequest = opts.perRequest ?? true;
  const sockets = new Set<net.Socket>();
  const byMode: Record<ProxyMode, number> = {
    pass: 0,
    reset: 0,
    stall: 0,
    trickle: 0,
    '503': 0,
    '429': 0,
    drop: 0,
  };
  let connections = 0;

  const draw = (): ProxyMode => {
    let x = random();
    for (const m of MODES) {
      const p = modes[m] ?? 0;
      if (x < p) return m;
      x -= p;
    }
    return 'pass';
  };

  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };

  const canned = (status: number, text: string, extra = '') =>
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${JSON.stringify({ error: text }).length}\r\n` +
    `Connection: close\r\n${extra}X-Proxy-Fault: ${status}\r\n\r\n${JSON.stringify({ error: text })}`;

  const rewrite = (chunk: Buffer): Buffer => {
    if (!perRequest) return chunk;
    const head = chunk.toString('latin1');
    const end = head.indexOf('\r\n\r\n');
    const region = end >= 0 ? head.slice(0, end) : head;
    if (!/^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/.test(region)) return chunk;
    const replaced = region.replace(/\r\nconnection:[^\r]*/i, '\r\nConnection: close');
    const withClose = replaced === region ? region + '\r\nConnection: close' : replaced;
    return Buffer.concat([Buffer.from(withClose, 'latin1'), chunk.subarray(region.length)]);
  };

  const server = net.createServer((client) => {
    connections += 1;
    track(client);
    const mode = draw();
    byMode[mode] += 1;
    if (mode === 'stall') {
      client.on('data', () => undefined); // swallow, never answer
      return;
    }
    if (mode === 'reset') {
      client.once('data', () => kill(client));
      return;
    }
    if (mode === '503' || mode === '429') {
      client.once('data', () => {
        const extra = mode === '429' ? `Retry-After: ${opts.retryAfterS ?? 1}\r\n` : '';
        client.end(canned(Number(mode), mode === '503' ? 'Service Unavailable' : 'Too Many Requests', extra));
      });
      return;
    }
    const upstream = net.connect(upstreamPort, upstreamHost);
    track(upstream);
    upstream.on('close', () => {
      if (mode !== 'trickle') client.end();
    });
    client.on('close', () => upstream.destroy());
    client.on('data', (c: Buffer) => upstream.write(rewrite(c)));
    client.on('end', () => upstream.end());
    if (mode === 'drop') {
      upstream.once('data', () => {
        kill(client);
        upstream.destroy();
      });
      return;
    }
    if (mode === 'trickle') {
      const rate = Math.max(1, opts.trickleBytesPerS ?? 2000);
      const piece = Math.max(1, Math.ceil(rate / 20));
      const queue: Buffer[] = [];
      let timer: NodeJS.Timeout | null = null;
      let upstreamDone = false;
      const pump = () => {
        timer = null;
        const next = queue[0];
        if (!next) {
          if (upstreamDone) client.end();
          return;
        }
        client.write(next.subarray(0, piece));
        if (next.length > piece) queue[0] = next.subarray(piece);
        else queue.shift();
        timer = setTimeout(pump, 50);
      };
      upstream.on('data', (c: Buffer) => {
        queue.push(c);
        if (!timer) pump();
      });
      upstream.on('close', () => {
        upstreamDone = true;
        if (!timer) pump();
      });
      client.on('close', () => {
        if (timer) clearTimeout(timer);
      });
      return;
    }
    upstream.on('data', (c: Buffer) => client.write(c));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as net.AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${addr.port}`,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    setModes(m) {
      modes = { ...m };
    },
    stats: () => ({ connections, byMode: { ...byMode } }),
  };
}
