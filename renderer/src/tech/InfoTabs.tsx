import type { TechStatus } from '../../../src/api/contract.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand, useNow } from '../components/hooks.js';
import { formatAge, formatBytes, formatCstTime } from '../lib/format.js';
import { InfoTable } from './Info.js';

const PRINTER_WORDS: Record<string, string> = {
  ok: '正常',
  paper_out: '缺纸',
  cover_open: '纸仓盖打开',
  absent: '未连接',
  error: '故障',
};

function lastJobText(job: unknown): string {
  if (!job || typeof job !== 'object') return '—';
  const j = job as { id?: unknown; ok?: unknown; at?: unknown; error?: unknown };
  const when = typeof j.at === 'number' ? formatCstTime(j.at) : '';
  const what =
    j.ok === true ? '成功' : j.ok === false ? `失败${typeof j.error === 'string' ? `：${j.error}` : ''}` : '';
  return [typeof j.id === 'string' ? j.id : '', what, when].filter(Boolean).join(' · ') || '—';
}

export function PrinterTab({ status, onChanged }: { status: TechStatus; onChanged: () => void }) {
  const cmd = useCommand();
  const p = status.printer;
  return (
    <div className="tech-tab" data-testid="printer-tab">
      <InfoTable
        prefix="printer"
        rows={[
          ['state', '状态', <b className={`hw-${p.state}`}>{PRINTER_WORDS[p.state] ?? p.state}</b>],
          ['kind', '类型', p.kind],
          ['paper-low', '纸将尽', p.paperLow ? '是 — 请准备换纸' : '否'],
          ['paper-out', '缺纸', p.state === 'paper_out' ? '是' : '否'],
          ['cover-open', '纸仓盖', p.state === 'cover_open' ? '打开' : '关闭'],
          ['detail', '详情', p.detail ?? '—'],
          ['last-job', '最近任务', lastJobText(p.lastJob)],
        ]}
      />
      <div className="btn-row">
        <button
          className="mid-btn primary"
          data-testid="printer-test-page"
          disabled={cmd.busy}
          onClick={() => void cmd.run('printerTestPage', {}).then(onChanged)}
        >
          打印测试页 Test page
        </button>
      </div>
      <ErrorLine error={cmd.error} testId="printer-error" />
    </div>
  );
}

export function SyncTab({ status, onChanged }: { status: TechStatus; onChanged: () => void }) {
  const cmd = useCommand();
  const now = useNow(1000);
  const s = status.sync;
  return (
    <div className="tech-tab" data-testid="sync-tab">
      <InfoTable
        prefix="sync"
        rows={[
          [
            'online',
            '平台连接',
            <b className={s.online ? 'hw-ok' : 'hw-error'}>{s.online ? '在线 online' : '离线 offline'}</b>,
          ],
          ['pending', '待上传', <span className="big-num">{s.pending}</span>],
          [
            'oldest',
            '最早待传',
            s.oldestPendingMs === null
              ? '—'
              : `${formatAge(s.oldestPendingAgeMs ?? now - s.oldestPendingMs)}前（${formatCstTime(s.oldestPendingMs)}）`,
          ],
          [
            'last-ack',
            '最近确认',
            s.lastAckMs === null ? '—' : `${formatCstTime(s.lastAckMs)}（${formatAge(now - s.lastAckMs)}前）`,
          ],
          [
            'next',
            '下次尝试',
            s.nextAttemptMs === null
              ? '—'
              : s.nextAttemptMs <= now
                ? '即将'
                : `${formatAge(s.nextAttemptMs - now)}后`,
          ],
          ['last-error', '最近错误', s.lastError ?? '—'],
          ['rejected', '被拒记录', String(s.rejected)],
        ]}
      />
      <div className="btn-row">
        <button
          className="mid-btn primary"
          data-testid="sync-now"
          disabled={cmd.busy}
          onClick={() => void cmd.run('syncNow', {}).then(onChanged)}
        >
          立即同步 Sync now
        </button>
      </div>
      <ErrorLine error={cmd.error} testId="sync-error" />
      {s.rejectedItems.length > 0 && (
        <>
          <h3>被平台拒绝的记录 Rejected</h3>
          <table className="info-table" data-testid="sync-rejected">
            <thead>
              <tr>
                <th>记录</th>
                <th>序号</th>
                <th>代码</th>
                <th>原因</th>
              </tr>
            </thead>
            <tbody>
              {s.rejectedItems.map((r) => (
                <tr key={`${r.ref}-${r.deviceSeq ?? ''}`} data-testid={`sync-rejected-${r.ref}`}>
                  <td>{r.ref}</td>
                  <td>{r.deviceSeq ?? '—'}</td>
                  <td>{r.code ?? '—'}</td>
                  <td>{r.message ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

export function SystemTab({ status }: { status: TechStatus }) {
  return (
    <div className="tech-tab" data-testid="system-tab">
      <InfoTable
        prefix="system"
        rows={[
          ['version', '程序版本', status.appVersion],
          ['device-id', '设备编号', status.deviceId],
          ['data-dir', '数据目录', <code>{status.dataDir}</code>],
          ['db-size', '数据库大小', formatBytes(status.db.sizeBytes)],
          ['db-schema', '数据库版本', String(status.db.schemaVersion)],
          [
            'db-integrity',
            '完整性检查',
            <b className={INTEGRITY_CLASS[status.db.integrity] ?? 'hw-error'}>
              {INTEGRITY_WORDS[status.db.integrity] ?? status.db.integrity}
            </b>,
          ],
          ['window-api', '窗口接口地址', <code>{status.windowApi.url || '—'}</code>],
          [
            'window-api-fingerprint',
            '证书指纹 SHA-256（供业务系统固定）',
            <code>{status.windowApi.tlsFingerprint ?? '— (仅本机 / loopback only)'}</code>,
          ],
        ]}
      />
    </div>
  );
}

/** This run's full integrity check (the heartbeat reports the same). */
const INTEGRITY_WORDS: Record<string, string> = {
  ok: '正常 ok',
  checking: '后台检查中 checking in the background',
  damaged: '发现损坏 damaged: restart the pad to repair it',
  'not checked': '未能检查，下次启动时检查 not checked: the next start checks',
};
const INTEGRITY_CLASS: Record<string, string> = {
  ok: 'hw-ok',
  checking: 'hw-warn',
  'not checked': 'hw-warn',
};
