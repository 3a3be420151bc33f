import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { KioskConfig } from '../config/config.js';
import { MigrationNeedsSpaceError } from '../store/migration-space.js';
import { CHECK_THE_STORAGE, freeBytesOn, onReadOnlyFileSystem } from '../store/volume.js';
import { IntegrityCheckBlockedError } from '../store/recovery.js';
import { PadDecommissionedError } from '../store/handover.js';
import { MIN_FREE_BYTES } from './storage-health.js';

/**
 * The usual mistakes at a pad's start, in one sentence each that names the setting to change —
 * what a technician reads on the console or in the journal instead of a stack trace.
 */
interface SystemError extends Error {
  code?: string;
  port?: number;
  address?: string;
  path?: string;
  syscall?: string;
}

const FS_CODES = new Set(['EACCES', 'EPERM', 'ENOTDIR', 'EROFS', 'ENOENT', 'EISDIR', 'ENOSPC', 'EEXIST']);

export function explainStartError(err: unknown, config: KioskConfig | null): string | null {
  if (!(err instanceof Error)) return null;
  // Already one sentence for the technician.
  if (
    err instanceof PadDecommissionedError ||
    err instanceof MigrationNeedsSpaceError ||
    err instanceof IntegrityCheckBlockedError
  )
    return err.message;
  const e = err as SystemError;
  if (e.syscall === 'listen' || e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL') {
    return explainListen(e, config);
  }
  if (config) {
    const dataDir = resolve(config.dataDir);
    const inDataDir = (p: string | undefined) =>
      p !== undefined && (resolve(p) === dataDir || resolve(p).startsWith(dataDir + sep));
    const underDataDir = (p: string | undefined) => p !== undefined && dataDir.startsWith(resolve(p) + sep);
    const aboutData = inDataDir(e.path) || underDataDir(e.path);
    // A write(2) error carries no path: the data directory's own state says whether it is its.
    const pathless = e.path === undefined;
    // A read-only file system is no setting to change (volume.ts).
    const readOnly =
      (e.code === 'EROFS' && (aboutData || (pathless && onReadOnlyFileSystem(dataDir)))) ||
      ((e.code?.startsWith('SQLITE_CANTOPEN') || e.code?.startsWith('SQLITE_READONLY')) &&
        onReadOnlyFileSystem(dataDir));
    if (readOnly) {
      return (
        `数据分区只读 / the file system of the data directory ${dataDir} is read-only (${e.code}${e.path ? ` at ${e.path}` : ''}): ` +
        `Linux makes a partition read-only after disk errors — ${CHECK_THE_STORAGE}, ` +
        `then start the pad again; nothing on it was changed.`
      );
    }
    if (e.code === 'EROFS') {
      return (
        `只读文件系统 / ${e.path ?? 'the file'} is on a read-only file system (EROFS): ` +
        `write it somewhere writable (a USB stick's write-protect switch, a read-only mount).`
      );
    }
    if (
      e.code === 'ENOSPC' &&
      (aboutData || (pathless && (freeBytesOn(dataDir) ?? Infinity) < MIN_FREE_BYTES))
    ) {
      return (
        `磁盘已满 / the disk of the data directory ${dataDir} is full (ENOSPC${e.path ? ` at ${e.path}` : ''}): ` +
        `free space on it (old logs, exports), then start the pad again.`
      );
    }
    if (e.code && FS_CODES.has(e.code) && (inDataDir(e.path) || underDataDir(e.path))) {
      return (
        `数据目录不可用 / the data directory ${dataDir} cannot be used (${e.code} at ${e.path}): ` +
        `set dataDir (HCP__dataDir) to a writable folder of the service user, or fix its owner and permissions.`
      );
    }
    if (e.code === 'SQLITE_FULL' || e.code === 'SQLITE_IOERR_SHMSIZE') {
      return (
        `磁盘已满 / the disk of the data directory ${dataDir} is full (${e.code}): ` +
        `free space on it (old logs, exports), then start the pad again (a write that failed was rolled back; the database is whole).`
      );
    }
    if (e.code?.startsWith('SQLITE_BUSY') || e.code?.startsWith('SQLITE_LOCKED')) {
      return (
        `数据库被占用 / the database in ${dataDir} is held by another program (${e.code}): ` +
        `stop the other hcp-kiosk process or the technician's tool using it, then start the pad again.`
      );
    }
    if (
      e.code?.startsWith('SQLITE_CANTOPEN') ||
      e.code?.startsWith('SQLITE_READONLY') ||
      e.code?.startsWith('SQLITE_PERM') ||
      /unable to open database file/.test(e.message)
    ) {
      return (
        `数据库无法打开 / the database in ${dataDir} cannot be opened: ` +
        `set dataDir (HCP__dataDir) to a writable folder of the service user, or fix its permissions.`
      );
    }
  }
  return null;
}

function explainListen(e: SystemError, config: KioskConfig | null): string {
  const port = e.port ?? Number(/:(\d+)\s*$/.exec(e.message)?.[1] ?? NaN);
  const setting =
    config && port === config.windowApi.port
      ? 'windowApi.port (HCP__windowApi__port)'
      : config && port === config.shell.port
        ? 'shell.port (HCP__shell__port)'
        : 'windowApi.port or shell.port';
  if (e.code === 'EADDRINUSE') {
    return (
      `端口 ${port} 已被占用 / port ${port} is already in use (another hcp-kiosk or program is listening): ` +
      `stop that program or set ${setting} to a free port.`
    );
  }
  if (e.code === 'EADDRNOTAVAIL') {
    return (
      `地址 ${e.address ?? ''} 不属于本机 / address ${e.address ?? ''} is not on this machine: ` +
      `set windowApi.host (HCP__windowApi__host) to 127.0.0.1 or one of this pad's LAN addresses.`
    );
  }
  return (
    `端口 ${port} 无法监听 / port ${port} cannot be opened (${e.code ?? 'error'}): ` +
    `set ${setting} to a port of 1024 or above.`
  );
}

/**
 * Devices named in the configuration that are not there. The pad still starts (the touch screen
 * works without the board; receipts are optional) — these lines tell the technician what to fix.
 */
export function missingDeviceWarnings(config: KioskConfig, exists = existsSync): string[] {
  const out: string[] = [];
  if (config.board.kind === 'serial' && config.board.path && !exists(config.board.path)) {
    out.push(
      `评价器串口 ${config.board.path} 不存在 / the board's serial device ${config.board.path} does not exist: ` +
        `check the board's USB cable and udev rule, or set board.path (null finds the board by itself).`,
    );
  }
  const p = config.printer;
  if ((p.kind === 'serial' || p.kind === 'usb') && p.path && !exists(p.path)) {
    out.push(
      `打印机设备 ${p.path} 不存在 / the printer device ${p.path} does not exist: ` +
        `check the printer's cable and power, or set printer.path (or printer.kind "none").`,
    );
  }
  return out;
}
