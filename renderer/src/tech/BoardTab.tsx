import { useEffect, useState } from 'react';
import type { KioskSnapshot, TechStatus } from '../../../src/api/contract.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand, useNow } from '../components/hooks.js';
import { useKiosk } from '../store.js';
import { InfoTable } from './Info.js';

const LED_MODES: Array<[number, string]> = [
  [0, '全灭 Off'],
  [1, '常亮 On'],
  [2, '慢闪 Slow'],
  [3, '快闪 Fast'],
  [4, '闪一下 Flash'],
];
const LED_WORDS = ['灭', '亮', '慢闪', '快闪', '闪'];
const COUNTER_WORDS: Record<string, string> = {
  lineErrors: '线路错误',
  unknownTypes: '未知帧',
  duplicates: '重复按键',
  lostPresses: '丢失按键',
  reconnects: '重连',
  naks: 'NAK',
  resends: '重发',
};

export function BoardTab({
  status,
  snapshot,
  onChanged,
}: {
  status: TechStatus;
  snapshot: KioskSnapshot;
  onChanged: () => void;
}) {
  const client = useKiosk((s) => s.client);
  const [presses, setPresses] = useState<Record<number, { atMs: number; count: number; counter: number }>>(
    {},
  );
  const [ports, setPorts] = useState<string[] | null>(null);
  const [port, setPort] = useState('');
  const cmd = useCommand();
  const now = useNow(200);
  const b = status.board;

  useEffect(() => {
    if (!client) return;
    return client.on('boardKey', (k) => {
      setPresses((p) => ({
        ...p,
        [k.key]: { atMs: Date.now(), count: (p[k.key]?.count ?? 0) + 1, counter: k.counter },
      }));
    });
  }, [client]);

  const ledCount = b.leds?.length ?? 6;
  const simulated = b.simulated || snapshot.hardware.boardSimulated;

  return (
    <div className="tech-tab" data-testid="board-tab">
      <div className="two-col">
        <section>
          <h3>评价器 Board</h3>
          <InfoTable
            prefix="board"
            rows={[
              ['state', '状态', <b className={`hw-${b.state}`}>{b.state}</b>],
              ['simulated', '模拟', simulated ? '是（模拟评价器）' : '否'],
              ['serial', '序列号', b.serial ?? '—'],
              ['expected-serial', '配对序列号', b.expectedSerial ?? '未配对（首个应答的评价器）'],
              ['firmware', '固件', b.firmware ?? '—'],
              [
                'boot-id',
                '启动 ID',
                b.bootId === null ? '—' : `0x${(b.bootId >>> 0).toString(16).padStart(8, '0')}`,
              ],
              ['path', '端口', b.path ?? '—'],
              [
                'leds',
                '指示灯',
                b.leds ? b.leds.map((m, i) => `${i + 1}:${LED_WORDS[m] ?? m}`).join(' ') : '—',
              ],
            ]}
          />
          {b.refusal && (
            <p className="hw-error" role="alert" data-testid="board-refusal">
              {b.refusal}
            </p>
          )}
          <h3>计数 Counters</h3>
          <table className="info-table" data-testid="board-counters">
            <tbody>
              {Object.keys(b.counters).length === 0 && (
                <tr>
                  <td className="muted">—</td>
                </tr>
              )}
              {Object.entries(b.counters).map(([k, v]) => (
                <tr key={k}>
                  <th>
                    {COUNTER_WORDS[k] ?? k} <small className="muted">{k}</small>
                  </th>
                  <td data-testid={`board-counter-${k}`}>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section>
          <h3>按键测试 Key test</h3>
          <p className="muted">按下评价器上的按键，对应的键会亮起（测试不产生评价）。</p>
          <div className="key-test">
            {[5, 4, 3, 2, 1, 6].map((k) => {
              const p = presses[k];
              const lit = p !== undefined && now - p.atMs < 800;
              return (
                <div
                  key={k}
                  className={`test-key${lit ? ' lit' : ''}`}
                  data-testid={`board-key-${k}`}
                  data-lit={lit ? 'true' : 'false'}
                >
                  <div className="test-key-label">{k === 6 ? '工作人员键' : `${k} 星`}</div>
                  <div className="test-key-count">{p ? `×${p.count}` : ''}</div>
                </div>
              );
            })}
          </div>
          {simulated && (
            <>
              <h3>模拟按键 Simulated keys</h3>
              <div className="btn-row">
                {[5, 4, 3, 2, 1].map((k) => (
                  <button
                    key={k}
                    className="mid-btn"
                    data-testid={`sim-press-${k}`}
                    onClick={() => void cmd.run('simulatePress', { key: k })}
                  >
                    按 {k} 星
                  </button>
                ))}
              </div>
            </>
          )}
          <h3>指示灯 / 蜂鸣器 LEDs / buzzer</h3>
          <div className="btn-row">
            {LED_MODES.map(([m, label]) => (
              <button
                key={m}
                className="mid-btn"
                data-testid={`led-mode-${m}`}
                onClick={() =>
                  void cmd
                    .run('boardTest', {
                      action: 'leds',
                      modes: Array.from({ length: Math.min(8, Math.max(1, ledCount)) }, () => m),
                    })
                    .then(onChanged)
                }
              >
                {label}
              </button>
            ))}
            <button
              className="mid-btn"
              data-testid="board-beep"
              onClick={() => void cmd.run('boardTest', { action: 'beep', freqHz: 2000, durationMs: 200 })}
            >
              蜂鸣 Beep
            </button>
          </div>
          {!simulated && (
            <>
              <h3>端口 Port</h3>
              <div className="btn-row">
                <button
                  className="mid-btn"
                  data-testid="board-list-ports"
                  onClick={() =>
                    void cmd.run('boardListPorts', {}).then((r) => {
                      if (r) {
                        setPorts(r.ports);
                        setPort((cur) => cur || (r.ports[0] ?? ''));
                      }
                    })
                  }
                >
                  查找端口
                </button>
                {ports && (
                  <select
                    className="select small"
                    data-testid="board-port-select"
                    value={port}
                    onChange={(e) => setPort(e.target.value)}
                  >
                    {ports.length === 0 && <option value="">（未找到 / none found）</option>}
                    {ports.map((p) => (
                      <option key={p} value={p}>
                        {p}
                      </option>
                    ))}
                  </select>
                )}
                <button
                  className="mid-btn primary"
                  data-testid="board-port-apply"
                  disabled={!port}
                  onClick={() => void cmd.run('boardSelectPort', { path: port }).then(onChanged)}
                >
                  使用此端口
                </button>
                <button
                  className="mid-btn"
                  data-testid="board-port-auto"
                  onClick={() => void cmd.run('boardSelectPort', { path: null }).then(onChanged)}
                >
                  自动
                </button>
              </div>
            </>
          )}
          <ErrorLine error={cmd.error} testId="board-error" />
        </section>
      </div>
    </div>
  );
}
