import type { KioskSnapshot } from '../../../src/api/contract.js';

const WORDS: Record<Exclude<KioskSnapshot['storage'], 'ok'>, { zh: string; en: string }> = {
  full: {
    zh: '存储空间已满，暂停评价，请联系技术人员',
    en: 'Storage full: ratings paused, please call the technician',
  },
  read_only: {
    zh: '存储故障（只读），暂停评价，请联系技术人员',
    en: 'Storage read-only: ratings paused, please call the technician',
  },
  damaged: {
    zh: '数据库损坏，暂停评价，请重启评价器',
    en: 'Database damaged: ratings paused, restart the pad',
  },
  recovering: {
    zh: '数据库已重建，正在等待平台，稍后恢复评价',
    en: 'Database rebuilt: waiting for the platform before rating',
  },
};

/** Over the citizen screen and the staff panel alike: the pad cannot store a rating right now. */
export function StorageBanner({ storage }: { storage: KioskSnapshot['storage'] }) {
  if (storage === 'ok') return null;
  const w = WORDS[storage];
  return (
    <div className="storage-banner" data-testid="storage-banner" data-storage={storage} role="alert">
      <div>{w.zh}</div>
      <div className="en">{w.en}</div>
    </div>
  );
}
