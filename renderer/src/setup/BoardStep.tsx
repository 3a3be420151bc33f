import { useEffect, useState } from 'react';
import type { SetupBoard, SetupBoardPort, SetupBoardSearch } from '../../../src/api/setup-contract.js';
import { boardSearch, cancelBoardSearch, findBoard } from './api.js';

const PORT_STATE: Record<SetupBoardPort['state'], string> = {
  opening: '正在连接 / opening',
  unavailable: '无法打开 / cannot open',
  not_board: '不是评价器 / not a board',
  board: '评价器已应答，等待按键 / board answered, waiting for a key',
};

/**
 * The star-key board, found by the technician pressing any key on it: every candidate port is
 * opened at once and the one whose key arrives is the board (decision 163). Or: touch only.
 */
export function BoardStep(p: { choice: SetupBoard | null; onChoice: (b: SetupBoard | null) => void }) {
  const [search, setSearch] = useState<SetupBoardSearch | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  const waiting = search?.state === 'waiting';
  const { onChoice } = p;
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => {
      setNow(Date.now());
      boardSearch()
        .then((s) => {
          setSearch(s);
          if (s.state === 'found' && s.found)
            onChoice({ kind: 'serial', path: s.found.path, serialNumber: s.found.serial });
        })
        .catch((err: unknown) => setError((err as Error).message));
    }, 300);
    return () => clearInterval(t);
  }, [waiting, onChoice]);

  const find = () => {
    setError(null);
    p.onChoice(null);
    findBoard()
      .then(setSearch)
      .catch((err: unknown) => setError((err as Error).message));
  };
  const touchOnly = () => {
    if (waiting) void cancelBoardSearch().then(setSearch);
    p.onChoice({ kind: 'none' });
  };
  const findLabel =
    search?.state === 'found'
      ? ['重新查找', 'Search again']
      : search && search.state !== 'idle' && !waiting
        ? ['重试', 'Try again']
        : ['查找评价器', 'Find the board'];
  const left = search?.endsAt ? Math.max(0, Math.ceil((search.endsAt - now) / 1000)) : null;

  return (
    <section data-testid="setup-board">
      <h2>
        评价器 <span className="en">Star-key board</span>
      </h2>
      {waiting && (
        <p className="prompt" data-testid="setup-board-prompt" role="status">
          请按评价器上任意一个键
          <span className="en"> Press any key on the evaluator</span>
          {left !== null && <span className="count"> {left} s</span>}
        </p>
      )}
      {search?.state === 'found' && search.found && p.choice?.kind === 'serial' && (
        <p className="answer ok" data-testid="setup-board-found" role="status">
          已找到评价器 / board found: <code>{search.found.path}</code> · 序列号 serial{' '}
          <code>{search.found.serial}</code>
          {search.found.firmware && (
            <>
              {' '}
              · 固件 firmware <code>{search.found.firmware}</code>
            </>
          )}
        </p>
      )}
      {search?.state === 'timeout' && (
        <p className="answer bad" data-testid="setup-board-timeout" role="alert">
          {search.ports.length === 0
            ? "没有找到任何串口。请检查评价器的 USB 线后重试，或选择“仅触摸屏” / No serial port found: check the board's USB cable and try again, or choose touch only."
            : `${search.timeoutS} 秒内没有收到按键。请检查评价器的 USB 线后重试，或选择“仅触摸屏” / No key press within ${search.timeoutS} s: check the board's USB cable and try again, or choose touch only.`}
        </p>
      )}
      {p.choice?.kind === 'none' && (
        <p className="answer ok" data-testid="setup-board-none-chosen" role="status">
          不接评价器，市民在触摸屏上评价 / no board: citizens rate on the touch screen
        </p>
      )}
      {search && search.ports.length > 0 && search.state !== 'found' && (
        <ul className="ports" data-testid="setup-board-ports">
          {search.ports.map((port) => (
            <li key={port.path} data-testid="setup-board-port" data-state={port.state}>
              <code>{port.path}</code> —{' '}
              {port.state === 'board' && !waiting ? '评价器已应答 / board answered' : PORT_STATE[port.state]}
              {port.serial && <> · {port.serial}</>}
              {port.detail && port.state !== 'board' && <span className="detail"> ({port.detail})</span>}
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <button type="button" data-testid="setup-board-find" disabled={waiting} onClick={find}>
          {findLabel[0]} <span className="en">{findLabel[1]}</span>
        </button>
        <button type="button" data-testid="setup-board-none" onClick={touchOnly}>
          没有评价器（仅触摸屏） <span className="en">No board (touch only)</span>
        </button>
      </div>
      {error && (
        <p className="answer bad" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
