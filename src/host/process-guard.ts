/**
 * Process-level errors. Anything that reaches here escaped every per-client handler, so the
 * process state is unknown: it is logged (synchronously, so the line survives) and the process
 * ends with EXIT_CRASHED for its supervisor to start it again within seconds. Every rating is
 * already committed before it was acknowledged, so a restart loses nothing.
 *
 * Supervisors: the browser shell's core is restarted by `npm start` (tools/start.ts) and, on a
 * deployed pad, by its systemd service (Restart=always); Electron's main process relaunches
 * itself (app.relaunch) and is in turn kept by the kiosk session's systemd unit.
 */
export const EXIT_CRASHED = 70;

export function installProcessGuard(opts: {
  log: (msg: string, fields: Record<string, unknown>) => void;
  /** ends the process (or relaunches it); defaults to process.exit(EXIT_CRASHED) */
  onFatal?: (err: unknown) => void;
}): () => void {
  let fatal = false;
  const die = (kind: string) => (err: unknown) => {
    try {
      opts.log('fatal: process error, exiting for the supervisor to restart', {
        kind,
        error: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? (err.stack ?? '').split('\n').slice(0, 8).join(' | ') : null,
      });
    } catch {
      // nothing more to be done: exit anyway
    }
    if (fatal) return;
    fatal = true;
    (opts.onFatal ?? (() => process.exit(EXIT_CRASHED)))(err);
  };
  const onException = die('uncaughtException');
  const onRejection = die('unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
