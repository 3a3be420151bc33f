import { useEffect, useRef, useState } from 'react';
import type { EditableSettings, TimingSettings } from '../../../src/api/tech-settings.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';
import { SETTINGS_TEXT } from './settings-text.js';
import { ApplyButton, Field, Section, TextField, Tx, wholeNumber, type Apply } from './settings-ui.js';

type ShowResult = (r: { text: string }) => void;

export function WindowApiSection({
  s,
  apply,
  busy,
  onError,
}: {
  s: EditableSettings;
  apply: Apply;
  busy: boolean;
  onError: (e: { code: string | null; message: string } | null) => void;
}) {
  const w = s.windowApi;
  const [host, setHost] = useState(w.host);
  const [port, setPort] = useState(String(w.port));
  const [allow, setAllow] = useState(w.allow.join('\n'));
  const [token, setToken] = useState<{ value: string; pinned: boolean } | null>(null);
  const rotate = useCommand();
  const tokenBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // once per new token: the answer is below the button
    if (token) tokenBox.current?.scrollIntoView({ block: 'nearest' });
  }, [token]);
  const portNo = wholeNumber(port);
  const allowList = allow
    .split(/[\n,]/)
    .map((a) => a.trim())
    .filter(Boolean);
  return (
    <Section title="windowApi" testId="settings-window-api">
      <div className="muted" data-testid="set-api-url">
        {SETTINGS_TEXT.apiNow.zh} {SETTINGS_TEXT.apiNow.en}: {w.url}
      </div>
      <div className="two-col">
        <TextField label="apiHost" testId="set-api-host" value={host} onChange={setHost} />
        <TextField label="apiPort" testId="set-api-port" value={port} onChange={setPort} numeric />
      </div>
      <Field label="apiAllow">
        <textarea
          className="text-area"
          rows={3}
          data-testid="set-api-allow"
          value={allow}
          placeholder="192.168.1.20&#10;192.168.1.0/24"
          spellCheck={false}
          onChange={(e) => setAllow(e.target.value)}
        />
      </Field>
      <ApplyButton
        testId="set-api-apply"
        disabled={busy || portNo === null}
        onClick={() => void apply({ windowApi: { host: host.trim(), port: portNo ?? 0, allow: allowList } })}
      />
      <h3>
        <Tx k="token" />
      </h3>
      <div className="btn-row">
        <span data-testid="set-token-state">
          {w.token === 'set' ? SETTINGS_TEXT.secretSet.zh : SETTINGS_TEXT.secretNotSet.zh}
        </span>
        <button
          className="mid-btn warn"
          data-testid="set-token-rotate"
          disabled={rotate.busy}
          onClick={() => {
            onError(null);
            void rotate.run('techRotateToken', {}).then((r) => {
              if (!r) return;
              setToken({ value: r.token, pinned: r.pinnedByEnv.length > 0 });
            });
          }}
        >
          <Tx k="rotate" />
        </button>
      </div>
      {token && (
        <div className="warn-line" data-testid="set-token-new" ref={tokenBox}>
          <Tx k="tokenOnce" />
          <code className="token-value" data-testid="set-token-value">
            {token.value}
          </code>
          {token.pinned && (
            <div data-testid="set-token-pinned">
              <Tx k="pinned" />: windowApi.token
            </div>
          )}
        </div>
      )}
      <ErrorLine error={rotate.error} testId="set-token-error" />
    </Section>
  );
}

const TIMING_KEYS: Array<keyof TimingSettings> = [
  'rateTimeoutS',
  'reasonsTimeoutS',
  'optionalExtrasTimeoutS',
  'thanksS',
  'appealWorkingDays',
];

export function TimingSection({ s, apply, busy }: { s: EditableSettings; apply: Apply; busy: boolean }) {
  const [text, setText] = useState<Record<string, string>>(() =>
    Object.fromEntries(TIMING_KEYS.map((k) => [k, String(s.timing[k])])),
  );
  const values = Object.fromEntries(
    TIMING_KEYS.map((k) => {
      const t = (text[k] ?? '').trim();
      return [k, /^\d+(\.\d)?$/.test(t) ? Number(t) : null];
    }),
  );
  const valid = Object.values(values).every((v) => v !== null);
  return (
    <Section title="timing" testId="settings-timing">
      <div className="two-col">
        {TIMING_KEYS.map((k) => (
          <Field key={k} label={k}>
            <input
              className="text-input"
              inputMode="decimal"
              data-testid={`set-timing-${k}`}
              value={text[k] ?? ''}
              onChange={(e) => setText((t) => ({ ...t, [k]: e.target.value }))}
            />
            {s.timingInForce[k] !== s.timing[k] && (
              <small className="muted" data-testid={`set-timing-${k}-in-force`}>
                {SETTINGS_TEXT.inForce.zh} {SETTINGS_TEXT.inForce.en}: {s.timingInForce[k]}
              </small>
            )}
          </Field>
        ))}
      </div>
      <ApplyButton
        testId="set-timing-apply"
        disabled={busy || !valid}
        onClick={() => void apply({ timing: values as TimingSettings })}
      />
    </Section>
  );
}

export function CodeSection({ onResult }: { onResult: ShowResult }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const cmd = useCommand();
  const mismatch = repeat !== '' && next !== repeat;
  const input = (value: string, set: (v: string) => void, testId: string) => (
    <input
      className="text-input"
      type="password"
      inputMode="numeric"
      autoComplete="off"
      maxLength={12}
      data-testid={testId}
      value={value}
      onChange={(e) => set(e.target.value.replace(/\D/g, ''))}
    />
  );
  return (
    <Section title="code" testId="settings-code">
      <Field label="codeCurrent">{input(current, setCurrent, 'set-code-current')}</Field>
      <Field label="codeNext">{input(next, setNext, 'set-code-next')}</Field>
      <Field label="codeRepeat">{input(repeat, setRepeat, 'set-code-repeat')}</Field>
      {mismatch && (
        <div className="warn-line" data-testid="set-code-mismatch">
          <Tx k="codeMismatch" />
        </div>
      )}
      <ApplyButton
        testId="set-code-apply"
        disabled={cmd.busy || current.length < 4 || next.length < 6 || next !== repeat}
        onClick={() =>
          void cmd.run('techChangeCode', { current, next }).then((r) => {
            if (!r) return;
            setCurrent('');
            setNext('');
            setRepeat('');
            onResult({ text: `${SETTINGS_TEXT.codeChanged.zh} / ${SETTINGS_TEXT.codeChanged.en}` });
          })
        }
      />
      <ErrorLine error={cmd.error} testId="set-code-error" />
    </Section>
  );
}
