import { useEffect, useState } from 'react';
import type {
  SetupPrinter,
  SetupPrinterCandidate,
  SetupPrintResult,
} from '../../../src/api/setup-contract.js';
import { printerCandidates, printTestPage } from './api.js';

type Option = SetupPrinterCandidate | { kind: 'tcp'; label: string };

/**
 * The receipt printer: pick one of the printers this pad could have, print the test page (both
 * languages, this pad's device id and window, a sample QR), and the technician says whether it
 * came out. Or: no printer.
 */
export function PrinterStep(p: {
  pad: { deviceId: string; windowNo: string };
  choice: SetupPrinter | null;
  onChoice: (c: SetupPrinter | null) => void;
}) {
  const [options, setOptions] = useState<Option[]>([]);
  const [picked, setPicked] = useState(0);
  const [paper, setPaper] = useState<58 | 80>(80);
  const [host, setHost] = useState('');
  const [printed, setPrinted] = useState<{ result: SetupPrintResult; printer: SetupPrinter } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    printerCandidates()
      .then((r) =>
        setOptions([...r.candidates, { kind: 'tcp', label: '网络打印机 / network printer (port 9100)' }]),
      )
      .catch((err: unknown) => setError((err as Error).message));
  }, []);

  const option = options[picked];
  const current = (): SetupPrinter | null => {
    if (!option) return null;
    if (option.kind === 'tcp') return { kind: 'tcp', host: host.trim(), port: 9100, paperWidthMm: paper };
    return { kind: option.kind, ...(option.path ? { path: option.path } : {}), paperWidthMm: paper };
  };
  const reset = () => {
    setPrinted(null);
    p.onChoice(null);
  };
  const test = () => {
    const printer = current();
    if (!printer) return;
    setBusy(true);
    setError(null);
    reset();
    printTestPage({ printer, ...p.pad })
      .then((result) => setPrinted({ result, printer }))
      .catch((err: unknown) => setError((err as Error).message))
      .finally(() => setBusy(false));
  };

  return (
    <section data-testid="setup-printer">
      <h2>
        打印机 <span className="en">Receipt printer</span>
      </h2>
      <div className="options" role="radiogroup">
        {options.map((o, i) => (
          <button
            key={`${o.kind}:${'path' in o ? (o.path ?? '') : ''}`}
            type="button"
            role="radio"
            aria-checked={i === picked}
            className={i === picked ? 'option picked' : 'option'}
            data-testid={`setup-printer-option-${i}`}
            data-kind={o.kind}
            onClick={() => {
              setPicked(i);
              reset();
            }}
          >
            {o.label}
          </button>
        ))}
      </div>
      {option?.kind === 'tcp' && (
        <label>
          打印机地址 <span className="en">Printer address</span>
          <input data-testid="setup-printer-host" value={host} onChange={(e) => setHost(e.target.value)} />
        </label>
      )}
      <div className="row" role="radiogroup" aria-label="纸宽 / paper width">
        {([58, 80] as const).map((w) => (
          <button
            key={w}
            type="button"
            role="radio"
            aria-checked={paper === w}
            className={paper === w ? 'option picked' : 'option'}
            data-testid={`setup-paper-${w}`}
            onClick={() => {
              setPaper(w);
              reset();
            }}
          >
            纸宽 {w} mm <span className="en">paper</span>
          </button>
        ))}
      </div>
      <div className="row">
        <button type="button" data-testid="setup-printer-test" disabled={busy || !option} onClick={test}>
          {busy ? '正在打印…' : '打印测试页'} <span className="en">Print a test page</span>
        </button>
        <button
          type="button"
          data-testid="setup-printer-none"
          onClick={() => {
            setPrinted(null);
            p.onChoice({ kind: 'none', paperWidthMm: paper });
          }}
        >
          没有打印机 <span className="en">No printer</span>
        </button>
      </div>
      {printed && (
        <div className={printed.result.ok ? 'answer ok' : 'answer bad'} data-testid="setup-printer-result">
          <p>{printed.result.detail}</p>
          <div className="printed">
            {printed.result.preview && (
              <img
                className="preview"
                data-testid="setup-printer-preview"
                src={printed.result.preview}
                alt="测试页 / test page"
              />
            )}
            {printed.result.ok && p.choice === null && (
              <div className="confirm">
                <p>
                  测试页打印出来了吗？字迹清楚、二维码完整？{' '}
                  <span className="en">Did the test page come out, text clear and the QR code whole?</span>
                </p>
                <button
                  type="button"
                  className="primary"
                  data-testid="setup-printer-ok"
                  onClick={() => p.onChoice(printed.printer)}
                >
                  打印正常 <span className="en">Yes, it printed</span>
                </button>
                <button type="button" data-testid="setup-printer-another" onClick={reset}>
                  换一台 <span className="en">Try another</span>
                </button>
              </div>
            )}
          </div>
        </div>
      )}
      {p.choice && (
        <p className="answer ok" data-testid="setup-printer-chosen" role="status">
          {p.choice.kind === 'none'
            ? '不接打印机 / no printer'
            : `已选打印机 / printer chosen: ${p.choice.kind} ${p.choice.path ?? p.choice.host ?? ''} · ${p.choice.paperWidthMm} mm`}
        </p>
      )}
      {error && (
        <p className="answer bad" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
