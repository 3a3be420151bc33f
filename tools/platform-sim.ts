/**
 * The municipal platform simulator (platform-api.md):
 *   npx tsx tools/platform-sim.ts [--port 0] [--host 127.0.0.1] [--db sim.db]
 *     [--latency ms] [--error-rate p] [--429-rate p] [--retry-after s] [--reset-rate p] [--drop-rate p]
 *     [--stall-rate p] [--stall-ms ms] [--fault-scope all|batch]
 * The first stdout line is `platform-sim listening http://127.0.0.1:PORT`.
 */
import {
  DEMO_DEVICE_ID,
  DEMO_DEVICE_SECRET,
  startPlatformSim,
  type SimFaults,
} from '../src/platform-sim/index.js';

const args = process.argv.slice(2);
const get = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const num = (name: string): number | undefined => (get(name) === undefined ? undefined : Number(get(name)));
const faults: Partial<SimFaults> = {};
const set = <K extends keyof SimFaults>(k: K, v: SimFaults[K] | undefined) => {
  if (v !== undefined) faults[k] = v;
};
set('latencyMs', num('latency'));
set('errorRate', num('error-rate'));
set('rate429', num('429-rate'));
set('retryAfterS', num('retry-after'));
set('resetRate', num('reset-rate'));
set('dropAfterCommitRate', num('drop-rate'));
set('stallRate', num('stall-rate'));
set('stallMs', num('stall-ms'));
const scope = get('fault-scope');
if (scope === 'all' || scope === 'batch') faults.scope = scope;

const sim = await startPlatformSim({
  port: num('port') ?? 0,
  host: get('host') ?? '127.0.0.1',
  dbPath: get('db') ?? ':memory:',
  faults,
});
console.log(`platform-sim listening ${sim.url}`);
console.log(`demo device ${DEMO_DEVICE_ID} secret ${DEMO_DEVICE_SECRET}`);
const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
