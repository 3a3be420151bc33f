/**
 * The municipal platform simulator, a program of its own (docs/protocols/platform-api.md):
 *   npx tsx platform-sim/main.ts [--port 0] [--host 127.0.0.1] [--db sim.db]
 *     [--latency ms] [--error-rate p] [--429-rate p] [--retry-after s] [--reset-rate p] [--drop-rate p]
 *     [--stall-rate p] [--stall-ms ms] [--fault-scope all|batch]
 *     [--device ID:SECRET:WINDOW]… [--profile-window N --profile-timing JSON] [--exit-with-stdin]
 *   (devices also from $PLATFORM_SIM_DEVICES, space-separated; SECRET `demo` is the demo secret)
 *   npx tsx platform-sim/main.ts --print-demo-device      (prints the demo identity and exits)
 * The first stdout line is `platform-sim listening http://127.0.0.1:PORT`, the second
 * `demo device ID secret SECRET`. The pad's `platform.baseUrl: "embedded"` starts it this way.
 */
import {
  DEMO_DEVICE_ID,
  DEMO_DEVICE_SECRET,
  DEMO_WINDOW_NO,
  loadSampleHall,
  startPlatformSim,
  type SimFaults,
} from './index.js';

const args = process.argv.slice(2);
if (args.includes('--print-demo-device')) {
  console.log(`demo device ${DEMO_DEVICE_ID} secret ${DEMO_DEVICE_SECRET}`);
  process.exit(0);
}
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

const deviceSpecs = [
  ...args.filter((_, i) => args[i - 1] === '--device'),
  ...(process.env.PLATFORM_SIM_DEVICES ?? '').split(/\s+/).filter(Boolean),
];
const devices = deviceSpecs.flatMap((a) => {
  const [deviceId = '', given = '', windowNo = ''] = a.split(':');
  const secret = given === 'demo' ? DEMO_DEVICE_SECRET : given;
  if (!deviceId || !secret || !windowNo) {
    console.error(`--device wants ID:SECRET:WINDOW, got ${a}`);
    process.exit(2);
  }
  return [{ deviceId, secret, windowNo }];
});

const sim = await startPlatformSim({
  port: num('port') ?? 0,
  host: get('host') ?? '127.0.0.1',
  dbPath: get('db') ?? ':memory:',
  faults,
  devices,
});
const profileTiming = get('profile-timing');
if (profileTiming !== undefined) {
  // Serves the pad's own timing (and window) in its profile, so local settings take effect on a
  // demo platform; a real platform decides them itself.
  const { hall } = loadSampleHall();
  sim.setRefdataOverride(
    'profile',
    JSON.stringify({
      ...hall,
      windowNo: get('profile-window') ?? DEMO_WINDOW_NO,
      timing: JSON.parse(profileTiming) as unknown,
    }),
  );
}
console.log(`platform-sim listening ${sim.url}`);
console.log(`demo device ${DEMO_DEVICE_ID} secret ${DEMO_DEVICE_SECRET}`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Started by a pad: ends with it, also when the pad was killed and could not say so.
if (args.includes('--exit-with-stdin')) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}
