import { ApiError } from '../api/contract.js';
import type { StorageHealth, StorageState } from './storage-health.js';

/** What staff and technician are told when the storage state changes (a notice). */
export const STORAGE_NOTICES: Record<StorageState, string> = {
  ok: '存储已恢复正常 / storage is writable again',
  full: '存储空间已满，暂停新的评价 / storage full: new evaluations are refused',
  read_only: '存储变为只读，暂停新的评价 / storage is read-only: new evaluations are refused',
  damaged: '数据库损坏，请重启评价器以修复 / database damaged: restart the pad to repair it',
  recovering: '数据库已重建，等待平台的序号后恢复评价 / database rebuilt: waiting for the platform sequence',
};

/** `503 {"error": "storage_unavailable", "storage": state}` on the window API. */
export function storageError(state: StorageState): ApiError {
  return Object.assign(new ApiError('storage_unavailable', storageMessage(state)), {
    extra: { storage: state },
  });
}

function storageMessage(state: StorageState): string {
  switch (state) {
    case 'full':
      return '存储空间已满，暂时不能保存评价 / storage full: the pad cannot store an evaluation now';
    case 'read_only':
      return '存储只读，暂时不能保存评价 / storage read-only: the pad cannot store an evaluation now';
    case 'damaged':
      return '数据库损坏，需要重启修复 / database damaged: the pad must restart to repair it';
    case 'recovering':
      return '数据库已重建，正在等待平台序号 / database rebuilt: waiting for the platform sequence';
    default:
      return '存储不可用 / storage unavailable';
  }
}

/** Throws the clear answer when nothing new can be stored now. */
export function requireWritable(storage: Pick<StorageHealth, 'state'>): void {
  const state = storage.state();
  if (state === 'ok') return;
  throw storageError(state);
}

/** Runs a write; a storage fault becomes the storage answer and the state everybody sees. */
export function guardWrite<T>(
  storage: Pick<StorageHealth, 'state' | 'report' | 'writeSucceeded'>,
  write: () => T,
): T {
  try {
    const out = write();
    storage.writeSucceeded();
    return out;
  } catch (err) {
    if (storage.report(err)) throw storageError(storage.state());
    throw err;
  }
}
