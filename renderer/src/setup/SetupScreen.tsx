import { useState, type ChangeEvent } from 'react';
import {
  parseProvisioningCode,
  type SetupBoard,
  type SetupPrinter,
  type SetupProbeAnswer,
} from '../../../src/api/setup-contract.js';
import { saveSetup, testIdentity } from './api.js';
import { BoardStep } from './BoardStep.js';
import { PrinterStep } from './PrinterStep.js';

type Busy = 'idle' | 'testing' | 'saving';

/**
 * First start of a pad: the technician scans (or types, or loads from a USB stick) the
 * provisioning code, checks the identity against the platform, sets the window number and a
 * technician code, finds the board by a key press and checks the printer with a test page.
 * Nothing is saved until a signed call to the platform succeeds.
 */
export function SetupScreen() {
  const [code, setCode] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [deviceId, setDeviceId] = useState('');
  const [deviceSecret, setDeviceSecret] = useState('');
  const [windowNo, setWindowNo] = useState('');
  const [techCode, setTechCode] = useState('');
  const [techCode2, setTechCode2] = useState('');
  const [busy, setBusy] = useState<Busy>('idle');
  const [answer, setAnswer] = useState<SetupProbeAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [board, setBoard] = useState<SetupBoard | null>(null);
  const [printer, setPrinter] = useState<SetupPrinter | null>(null);

  const applyCode = (text: string) => {
    try {
      const c = parseProvisioningCode(text);
      setBaseUrl(c.baseUrl);
      setDeviceId(c.deviceId);
      setDeviceSecret(c.deviceSecret);
      if (c.windowNo) setWindowNo(c.windowNo);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    if (f) void f.text().then((t) => applyCode(t));
  };
  const identity = { baseUrl: baseUrl.trim(), deviceId: deviceId.trim(), deviceSecret: deviceSecret.trim() };
  const run = async (what: Busy, fn: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy('idle');
    }
  };
  const test = () =>
    run('testing', async () => {
      setAnswer(await testIdentity(identity));
    });
  const save = () =>
    run('saving', async () => {
      if (techCode !== techCode2)
        throw new Error('两次输入的维护口令不一致 / the two technician codes differ');
      if (!board)
        throw new Error('请先查找评价器，或选择“仅触摸屏” / find the board first, or choose touch only');
      if (!printer)
        throw new Error(
          '请先打印测试页并确认，或选择“没有打印机” / print and confirm a test page first, or choose no printer',
        );
      const r = await saveSetup({
        ...identity,
        windowNo: windowNo.trim(),
        technicianCode: techCode,
        board,
        printer,
      });
      setAnswer(r.probe);
      if (r.ok && r.next) location.replace(r.next);
    });

  return (
    <main className="setup" data-testid="screen-setup">
      <h1>
        评价器开通 <span className="en">Pad setup</span>
      </h1>
      <section>
        <label>
          开通码 <span className="en">Provisioning code (scan, type or load from a USB stick)</span>
          <input
            data-testid="setup-code"
            value={code}
            autoFocus
            onChange={(e) => setCode(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && applyCode(code)}
            placeholder="HCP1:…"
          />
        </label>
        <div className="row">
          <button type="button" data-testid="setup-code-apply" onClick={() => applyCode(code)}>
            读取开通码 <span className="en">Read code</span>
          </button>
          <label className="file">
            U 盘文件 <span className="en">File on a USB stick</span>
            <input type="file" accept=".txt,text/plain" data-testid="setup-code-file" onChange={onFile} />
          </label>
        </div>
      </section>
      <section className="grid">
        <Field label="平台地址" en="Platform URL" id="setup-url" value={baseUrl} set={setBaseUrl} />
        <Field label="设备号" en="Device id" id="setup-device" value={deviceId} set={setDeviceId} />
        <Field
          label="设备密钥"
          en="Device secret"
          id="setup-secret"
          value={deviceSecret}
          set={setDeviceSecret}
          secret
        />
        <Field label="窗口号" en="Window number" id="setup-window" value={windowNo} set={setWindowNo} />
        <Field
          label="维护口令"
          en="Technician code"
          id="setup-tech"
          value={techCode}
          set={setTechCode}
          secret
          digits
        />
        <Field
          label="再输一次"
          en="Again"
          id="setup-tech2"
          value={techCode2}
          set={setTechCode2}
          secret
          digits
        />
      </section>
      <BoardStep choice={board} onChoice={setBoard} />
      <PrinterStep
        pad={{ deviceId: deviceId.trim(), windowNo: windowNo.trim() }}
        choice={printer}
        onChoice={setPrinter}
      />
      <div className="row">
        <button type="button" data-testid="setup-test" disabled={busy !== 'idle'} onClick={() => void test()}>
          {busy === 'testing' ? '正在连接…' : '测试连接'} <span className="en">Test with the platform</span>
        </button>
        <button
          type="button"
          className="primary"
          data-testid="setup-save"
          disabled={busy !== 'idle'}
          onClick={() => void save()}
        >
          {busy === 'saving' ? '正在保存…' : '保存并启动'} <span className="en">Save and start</span>
        </button>
      </div>
      {answer && (
        <p className={answer.ok ? 'answer ok' : 'answer bad'} data-testid="setup-answer" role="status">
          {answer.ok
            ? '平台已确认此设备 / the platform accepted this pad'
            : '平台拒绝 / the platform refused'}
          : <code>{answer.answer}</code>
          {answer.clockOffsetMs !== null &&
            ` · 时钟偏差 / clock offset ${Math.round(answer.clockOffsetMs / 1000)} s`}
        </p>
      )}
      {error && (
        <p className="answer bad" data-testid="setup-error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}

function Field(p: {
  label: string;
  en: string;
  id: string;
  value: string;
  set: (v: string) => void;
  secret?: boolean;
  digits?: boolean;
}) {
  return (
    <label>
      {p.label} <span className="en">{p.en}</span>
      <input
        data-testid={p.id}
        type={p.secret ? 'password' : 'text'}
        inputMode={p.digits ? 'numeric' : 'text'}
        autoComplete="off"
        value={p.value}
        onChange={(e) => p.set(e.target.value)}
      />
    </label>
  );
}
