/**
 * Fault-injecting proxy between a pad and the platform (simulator):
 *   npx tsx tests/emulators/fault-proxy-cli.ts --target http://127.0.0.1:8080 [--port 0] [--reset 0.1] [--stall 0.1]
 *     [--trickle 0.1] [--503 0.1] [--429 0.1] [--drop 0.1] [--trickle-rate 2000] [--retry-after 1] [--keep-alive]
 * Prints `fault-proxy listening http://127.0.0.1:PORT` first.
 */
import { startFaultProxy, type FaultMix } from './fault-proxy.js';

const args = process.argv.slice(2);
const get = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const target = get('target');
if (!target) {
  console.error(
    'usage: fault-proxy --target http://host:port [--port N] [--reset p] [--stall p] [--trickle p] [--503 p] [--429 p] [--drop p]',
  );
  process.exit(2);
}
const modes: FaultMix = {};
for (const m of ['reset', 'stall', 'trickle', '503', '429', 'drop'] as const) {
  const v = get(m);
  if (v !== undefined) modes[m] = Number(v);
}
const proxy = await startFaultProxy({
  target,
  port: Number(get('port') ?? '0'),
  modes,
  trickleBytesPerS: get('trickle-rate') ? Number(get('trickle-rate')) : undefined,
  retryAfterS: get('retry-after') ? Number(get('retry-after')) : undefined,
  perRequest: !args.includes('--keep-alive'),
});
console.log(`fault-proxy listening ${proxy.url}`);
const report = setInterval(() => console.error(JSON.stringify(proxy.stats())), 10_000);
const stop = () => {
  clearInterval(report);
  void proxy.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
