import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { KioskConfig } from '../config/config.js';
import { writeFileAtomic } from '../config/config-file.js';
import { isDemoDeviceSecret } from '../config/demo-identity.js';
import { HandoverRefused, readHandover } from '../domain/handover-file.js';
import { formatCst } from '../domain/time.js';
import { openDatabase } from '../store/db.js';
import { exportHandover, handoverState, markDecommissioned, takeOverHandover } from '../store/handover.js';
import { openCheckedDatabase } from '../store/recovery.js';

/**
 * `hcp-kiosk decommission [--export FILE]` on the pad being replaced and
 * `hcp-kiosk take-over FILE` on its successor (docs/technician.md, "Replacing a pad"). Both run
 * with the pad stopped: a running pad could seal another number after the export.
 */
type Out = (line: string) => void;

export async function runDecommission(
  config: KioskConfig,
  exportTo: string | null,
  out: Out,
  err: Out,
): Promise<number> {
  if (!(await padStopped(config, err))) return 2;
  const file = join(resolve(config.dataDir), 'kiosk.db');
  if (!existsSync(file)) {
    err(`没有数据库 / no database at ${file}: nothing to decommission (check dataDir, HCP__dataDir)`);
    return 2;
  }
  const secret = config.platform.deviceSecret;
  const db = openDatabase(file);
  try {
    // One IMMEDIATE transaction from the state read to the mark: a pad still running on this
    // database cannot seal a number between the export and the mark (and none after it:
    // records.ts refuses to seal on a decommissioned database).
    return db
      .transaction((): number => {
        const s = handoverState(db);
        if (s.pendingAppeals > 0) {
          err(
            `还有 ${s.pendingAppeals} 条申诉未上传：请联网等它们送达后再退役 / ${s.pendingAppeals} appeals are not yet ` +
              `delivered: connect the pad to the platform until they are, then decommission (appeals are not handed over).`,
          );
          return 2;
        }
        if (s.pendingRecords > 0 && exportTo === null) {
          err(
            `还有 ${s.pendingRecords} 条评价未上传（最早 ${formatCst(s.oldestPendingMs ?? 0)}）：请联网等它们上传，` +
              `或用 --export <文件> 导出给新评价器 / ${s.pendingRecords} ratings are not yet delivered (oldest ` +
              `${formatCst(s.oldestPendingMs ?? 0)}): let the pad upload them, or export them with --export FILE for the new pad.`,
          );
          return 2;
        }
        if (exportTo !== null) {
          if (isDemoDeviceSecret(secret)) {
            err('演示设备没有可交接的身份 / a demo pad has no identity to hand over: provision it first.');
            return 2;
          }
          const handover = exportHandover(
            db,
            { deviceId: config.platform.deviceId, windowNo: config.hall.windowNo, secretBase64: secret },
            Date.now(),
          );
          const target = resolve(exportTo);
          writeFileAtomic(target, JSON.stringify(handover) + '\n');
          // Read back what reached the stick before the old pad gives up its numbers.
          readHandover(readFileSync(target, 'utf8'), {
            deviceId: config.platform.deviceId,
            secretBase64: secret,
          });
          out(
            `已导出 ${handover.records.length} 条未上传的评价到 / exported ${handover.records.length} undelivered ` +
              `records to ${target} (last deviceSeq ${handover.lastDeviceSeq})`,
          );
        }
        if (s.rejectedRecords > 0)
          out(
            `注意：${s.rejectedRecords} 条被平台拒收的记录留在本机数据库中作凭证 / note: ${s.rejectedRecords} records the ` +
              `platform refused stay in this pad's database as evidence (see doctor).`,
          );
        if (s.decommissionedMs === null) markDecommissioned(db, Date.now());
        out(
          `评价器 ${config.platform.deviceId} 已退役，最后序号 ${s.lastDeviceSeq} / pad ${config.platform.deviceId} ` +
            `decommissioned at deviceSeq ${s.lastDeviceSeq}: it will not start again on ${resolve(config.dataDir)}.`,
        );
        return 0;
      })
      .immediate();
  } finally {
    db.close();
  }
}

export async function runTakeOver(config: KioskConfig, from: string, out: Out, err: Out): Promise<number> {
  if (!(await padStopped(config, err))) return 2;
  let text: string;
  try {
    text = readFileSync(resolve(from), 'utf8');
  } catch (e) {
    err(
      `交接文件无法读取 / the handover file ${resolve(from)} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return 2;
  }
  const dbFile = join(resolve(config.dataDir), 'kiosk.db');
  const { db } = openCheckedDatabase(dbFile, Date.now());
  try {
    const file = readHandover(text, {
      deviceId: config.platform.deviceId,
      secretBase64: config.platform.deviceSecret,
    });
    const r = takeOverHandover(db, file, Date.now());
    out(
      `已接管设备 ${file.deviceId}：${r.adopted} 条待上传评价（${r.alreadyHere} 条已在本机），新记录从序号 ` +
        `${r.continuesAfter + 1} 开始 / took over device ${file.deviceId}: ${r.adopted} records queued for upload ` +
        `(${r.alreadyHere} already here); the next record is deviceSeq ${r.continuesAfter + 1}.`,
    );
    return 0;
  } catch (e) {
    if (e instanceof HandoverRefused) {
      err(e.message);
      return 2;
    }
    throw e;
  } finally {
    db.close();
  }
}

/** The pad holds its window API port while it runs; if the port is taken, it is running. */
function padStopped(config: KioskConfig, err: Out): Promise<boolean> {
  const { host, port } = config.windowApi;
  if (port === 0) return Promise.resolve(true);
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        err(
          `评价器正在运行（端口 ${port} 被占用）：请先停止 / the pad is running (port ${port} is in use): ` +
            `stop it first (systemctl stop hcp-kiosk), then run this again.`,
        );
        done(false);
      } else done(true);
    });
    probe.listen(port, host, () => probe.close(() => done(true)));
  });
}
