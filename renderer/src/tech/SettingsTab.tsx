import { useEffect, useRef, useState } from 'react';
import type {
  ApplySettingsResult,
  EditableSettings,
  SettingsChange,
} from '../../../src/api/tech-settings.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';
import { CodeSection, TimingSection, WindowApiSection } from './SettingsMore.js';
import { SERVICE_WORDS, SETTINGS_TEXT } from './settings-text.js';
import {
  ApplyButton,
  Choice,
  Field,
  Section,
  TextField,
  Tx,
  wholeNumber,
  type Apply,
} from './settings-ui.js';

const STATE_WORDS: Record<string, string> = {
  ok: '正常',
  absent: '未连接',
  error: '故障',
  paper_out: '缺纸',
  cover_open: '纸仓盖打开',
};

/** What the last apply did, in one line: the keys, what restarted, what the environment overrides. */
function ResultLine({ result }: { result: ApplySettingsResult | { text: string } | null }) {
  if (!result) return null;
  if ('text' in result)
    return (
      <div className="ok-line" role="status" data-testid="settings-result">
        {result.text}
      </div>
    );
  const restarted = result.restarted.map((s) => SERVICE_WORDS[s] ?? { zh: s, en: s });
  return (
    <div role="status">
      <div className="ok-line" data-testid="settings-result">
        {result.changed.length === 0 ? (
          <Tx k="nothing" />
        ) : (
          <>
            {SETTINGS_TEXT.applied.zh} {SETTINGS_TEXT.applied.en}: {result.changed.join(', ')}
            {restarted.length > 0 && (
              <span data-testid="settings-restarted">
                {' · '}
                {SETTINGS_TEXT.restarted.zh} {restarted.map((r) => r.zh).join('、')} /{' '}
                {SETTINGS_TEXT.restarted.en} {restarted.map((r) => r.en).join(', ')}
              </span>
            )}
          </>
        )}
      </div>
      {Object.entries(result.devices).map(([device, state]) => (
        <div
          key={device}
          className={state === 'ok' ? 'ok-line' : 'warn-line'}
          data-testid={`settings-device-${device}`}
        >
          {SERVICE_WORDS[device]?.zh} {SERVICE_WORDS[device]?.en}: {STATE_WORDS[state] ?? ''} {state}
        </div>
      ))}
      {result.pinnedByEnv.length > 0 && (
        <div className="warn-line" data-testid="settings-pinned">
          <Tx k="pinned" />: {result.pinnedByEnv.join(', ')}
        </div>
      )}
    </div>
  );
}

function BoardSection({ s, apply, busy }: { s: EditableSettings; apply: Apply; busy: boolean }) {
  const [kind, setKind] = useState(s.board.kind);
  const [path, setPath] = useState(s.board.kind === 'serial' ? (s.board.path ?? '') : '');
  const [baud, setBaud] = useState<115200 | 9600>(s.board.kind === 'serial' ? s.board.baudRate : 115200);
  const [ports, setPorts] = useState<string[] | null>(null);
  const list = useCommand();
  const change: SettingsChange['board'] =
    kind === 'serial' ? { kind, path: path.trim() === '' ? null : path.trim(), baudRate: baud } : { kind };
  return (
    <Section title="board" testId="settings-board">
      <Choice
        value={kind}
        testId="set-board-kind"
        onChange={setKind}
        options={[
          ['serial', 'boardSerial'],
          ['simulated', 'boardSimulated'],
          ['none', 'boardNone'],
        ]}
      />
      {kind === 'serial' && (
        <>
          <Field label="boardPath">
            <div className="field-with-btn">
              <input
                className="text-input"
                data-testid="set-board-path"
                value={path}
                placeholder="/dev/ttyACM0"
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => setPath(e.target.value)}
              />
              {s.board.kind === 'serial' && (
                <button
                  className="mid-btn"
                  type="button"
                  data-testid="set-board-find"
                  onClick={() => void list.run('boardListPorts', {}).then((r) => r && setPorts(r.ports))}
                >
                  <Tx k="findPorts" />
                </button>
              )}
            </div>
          </Field>
          {ports && (
            <div className="btn-row">
              {ports.map((p) => (
                <button key={p} className="mid-btn" type="button" onClick={() => setPath(p)}>
                  {p}
                </button>
              ))}
            </div>
          )}
          <Field label="baud">
            <Choice
              value={baud}
              testId="set-board-baud"
              onChange={setBaud}
              options={[
                [115200, '115200'],
                [9600, '9600'],
              ]}
            />
          </Field>
        </>
      )}
      <ApplyButton testId="set-board-apply" disabled={busy} onClick={() => void apply({ board: change })} />
    </Section>
  );
}

const PRINTER_KINDS = [
  ['virtual', 'printerVirtual'],
  ['serial', 'printerSerial'],
  ['usb', 'printerUsb'],
  ['tcp', 'printerTcp'],
  ['none', 'printerNone'],
] as const;

function PrinterSection({ s, apply, busy }: { s: EditableSettings; apply: Apply; busy: boolean }) {
  const p = s.printer;
  const [kind, setKind] = useState(p.kind);
  const [path, setPath] = useState(p.path ?? '');
  const [host, setHost] = useState(p.host ?? '');
  const [port, setPort] = useState(p.port === null ? '' : String(p.port));
  const [paper, setPaper] = useState(p.paperWidthMm);
  const [qr, setQr] = useState(p.qr);
  const [autoPrint, setAutoPrint] = useState(p.autoPrintUnrated);
  const change: NonNullable<SettingsChange['printer']> = {
    kind,
    paperWidthMm: paper,
    qr,
    autoPrintUnrated: autoPrint,
    ...((kind === 'serial' || kind === 'usb') && path.trim() ? { path: path.trim() } : {}),
    ...(kind === 'tcp' && host.trim() ? { host: host.trim() } : {}),
    ...(kind === 'tcp' && wholeNumber(port) !== null ? { port: wholeNumber(port) as number } : {}),
  };
  return (
    <Section title="printer" testId="settings-printer">
      <Choice value={kind} testId="set-printer-kind" onChange={setKind} options={PRINTER_KINDS} />
      {(kind === 'serial' || kind === 'usb') && (
        <TextField
          label="printerPath"
          testId="set-printer-path"
          value={path}
          placeholder={kind === 'usb' ? '/dev/usb/lp0' : '/dev/ttyS0'}
          onChange={setPath}
        />
      )}
      {kind === 'tcp' && (
        <div className="two-col">
          <TextField label="printerHost" testId="set-printer-host" value={host} onChange={setHost} />
          <TextField
            label="printerPort"
            testId="set-printer-port"
            value={port}
            placeholder="9100"
            onChange={setPort}
            numeric
          />
        </div>
      )}
      {kind !== 'none' && (
        <>
          <Field label="paper">
            <Choice
              value={paper}
              testId="set-printer-paper"
              onChange={setPaper}
              options={[
                [80, '80 mm'],
                [58, '58 mm'],
              ]}
            />
          </Field>
          <Field label="qr">
            <Choice
              value={qr}
              testId="set-printer-qr"
              onChange={setQr}
              options={[
                ['native', 'qrNative'],
                ['raster', 'qrRaster'],
              ]}
            />
          </Field>
          <Field label="autoPrint">
            <Choice
              value={autoPrint ? 'on' : 'off'}
              testId="set-printer-autoprint"
              onChange={(v) => setAutoPrint(v === 'on')}
              options={[
                ['on', '开 On'],
                ['off', '关 Off'],
              ]}
            />
          </Field>
        </>
      )}
      <ApplyButton
        testId="set-printer-apply"
        disabled={busy}
        onClick={() => void apply({ printer: change })}
      />
    </Section>
  );
}

/** The technician's 设置 tab: each part applies on its own and says what restarted. */
export function SettingsTab({ onChanged }: { onChanged: () => void }) {
  const load = useCommand();
  const cmd = useCommand();
  const [s, setS] = useState<EditableSettings | null>(null);
  const [version, setVersion] = useState(0);
  const [result, setResult] = useState<ApplySettingsResult | { text: string } | null>(null);
  const top = useRef<HTMLDivElement>(null);
  const error = cmd.error;
  useEffect(() => {
    // The answer shows at the top of the tab: bring it into view from the button far below.
    if (result || error) top.current?.scrollIntoView({ block: 'nearest' });
  }, [result, error]);
  const loadSettings = load.run;
  useEffect(() => {
    // once when the tab opens (deferred: no state change inside the effect itself)
    const t = setTimeout(() => void loadSettings('techSettings', {}).then((r) => r && setS(r)), 0);
    return () => clearTimeout(t);
  }, [loadSettings]);
  const apply: Apply = async (change) => {
    setResult(null);
    const r = await cmd.run('techApplySettings', change);
    if (!r) return;
    setResult(r);
    setS(r.settings);
    setVersion((v) => v + 1);
    onChanged();
  };
  if (!s) return <ErrorLine error={load.error} testId="settings-error" />;
  const common = { s, apply, busy: cmd.busy };
  return (
    <div className="tech-tab settings-tab" data-testid="settings-tab">
      <p className="muted">
        <Tx k="intro" />
      </p>
      <div className="muted" data-testid="settings-config-file">
        {SETTINGS_TEXT.configFile.zh} {SETTINGS_TEXT.configFile.en}: {s.configFile}
      </div>
      <div ref={top} />
      <ResultLine result={result} />
      <ErrorLine error={cmd.error} testId="settings-error" />
      <div className="two-col" key={version}>
        <div>
          <BoardSection {...common} />
          <PrinterSection {...common} />
        </div>
        <div>
          <WindowApiSection {...common} onError={cmd.setError} />
          <TimingSection {...common} />
          <CodeSection onResult={setResult} />
        </div>
      </div>
    </div>
  );
}
