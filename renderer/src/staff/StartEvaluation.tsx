import { useEffect, useRef, useState } from 'react';
import {
  describeZodError,
  startEvaluationSchema,
  type CatalogChain,
  type CatalogTask,
  type StartEvaluationInput,
} from '../../../src/api/contract.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { useCommand } from '../components/hooks.js';
import { DIGIT_ROWS, Keypad, applyKey, type KeyDef } from '../components/Keypad.js';
import { errorCode, errorText, invoke } from '../store.js';

type Mode = 'single' | 'batch' | 'chain';
type Field = { kind: 'case' | 'chain'; i: number };

const CASE_ROWS: KeyDef[][] = [
  ...DIGIT_ROWS,
  [
    { id: 'dash', label: '-' },
    { id: '0', label: '0' },
    { id: 'back', label: '⌫' },
  ],
  [{ id: 'clear', label: '清除 Clear', wide: true }],
];

function caseTestId(i: number): string {
  return i === 0 ? 'start-case-no' : `start-case-no-${i}`;
}

/** Turns the form into the contract's input; the contract's own schema then checks it. */
export function buildStartInput(args: {
  mode: Mode;
  task: CatalogTask | undefined;
  cases: string[];
  chain: CatalogChain | undefined;
  chainCases: string[];
  tasks: CatalogTask[];
  printReceipt: boolean;
}): { ok: true; input: StartEvaluationInput } | { ok: false; message: string } {
  const { mode, task, chain, tasks } = args;
  let input: StartEvaluationInput;
  if (mode === 'chain') {
    if (!chain) return { ok: false, message: '请选择一链办主题 / choose a chain' };
    const cases = [];
    for (const [i, code] of chain.taskCodes.entries()) {
      const t = tasks.find((x) => x.taskCode === code);
      if (!t) return { ok: false, message: `事项目录中没有 ${code} / item not in the catalog` };
      const projectNo = (args.chainCases[i] ?? '').trim();
      if (!projectNo)
        return { ok: false, message: `请填写「${t.taskName}」的办件编号 / case number missing` };
      cases.push({ projectNo, taskCode: t.taskCode, taskName: t.taskName, promiseType: t.promiseType });
    }
    input = { cases, groupType: 'chain' };
  } else {
    if (!task) return { ok: false, message: '请选择事项 / choose an item' };
    const nos = args.cases.map((c) => c.trim()).filter(Boolean);
    if (nos.length === 0) return { ok: false, message: '请填写办件编号 / enter a case number' };
    if (mode === 'batch' && nos.length < 2)
      return { ok: false, message: '批量评价至少两个办件编号 / a batch needs two or more case numbers' };
    const single = mode === 'single' ? nos.slice(0, 1) : nos;
    input = {
      cases: single.map((projectNo) => ({
        projectNo,
        taskCode: task.taskCode,
        taskName: task.taskName,
        promiseType: task.promiseType,
      })),
      ...(mode === 'batch' ? { groupType: 'batch' as const } : {}),
    };
  }
  if (args.printReceipt) input.printReceipt = true;
  const parsed = startEvaluationSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: describeZodError(parsed.error).message };
  return { ok: true, input: parsed.data };
}

export function StartEvaluation({
  scanned,
  onScanUsed,
  paused,
}: {
  scanned: { code: string; seq: number } | null;
  onScanUsed: () => void;
  paused: boolean;
}) {
  const [tasks, setTasks] = useState<CatalogTask[]>([]);
  const [chains, setChains] = useState<CatalogChain[]>([]);
  const [catalogError, setCatalogError] = useState<{ code: string | null; message: string } | null>(null);
  const [mode, setMode] = useState<Mode>('single');
  const [taskCode, setTaskCode] = useState('');
  const [cases, setCases] = useState<string[]>(['']);
  const [chainName, setChainName] = useState('');
  const [chainCases, setChainCases] = useState<string[]>([]);
  const [printReceipt, setPrintReceipt] = useState(false);
  const [active, setActive] = useState<Field>({ kind: 'case', i: 0 });
  const [localError, setLocalError] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);
  const { run, busy, error } = useCommand();

  useEffect(() => {
    invoke('catalog', {}).then(
      (c) => {
        setTasks(c.tasks);
        setChains(c.chains);
        setTaskCode((cur) => cur || (c.tasks[0]?.taskCode ?? ''));
        setChainName((cur) => cur || (c.chains[0]?.name ?? ''));
      },
      (err: unknown) => setCatalogError({ code: errorCode(err), message: errorText(err) }),
    );
  }, []);

  const chain = chains.find((c) => c.name === chainName);
  const task = tasks.find((t) => t.taskCode === taskCode);

  const setField = (f: Field, value: string) => {
    if (f.kind === 'case') setCases((cs) => cs.map((c, i) => (i === f.i ? value : c)));
    else
      setChainCases((cs) => {
        const next = [...cs];
        while (next.length <= f.i) next.push('');
        next[f.i] = value;
        return next;
      });
  };
  const fieldValue = (f: Field) => (f.kind === 'case' ? (cases[f.i] ?? '') : (chainCases[f.i] ?? ''));

  // A scanned case number lands in the field being edited (replacing what the burst typed into it).
  const activeRef = useRef(active);
  useEffect(() => {
    activeRef.current = active;
  }, [active]);
  useEffect(() => {
    if (!scanned) return;
    const a = activeRef.current;
    const code = scanned.code.trim().slice(0, 50);
    if (a.kind === 'case') setCases((cs) => cs.map((c, i) => (i === a.i ? code : c)));
    else
      setChainCases((cs) => {
        const next = [...cs];
        while (next.length <= a.i) next.push('');
        next[a.i] = code;
        return next;
      });
    onScanUsed();
  }, [scanned, onScanUsed]);

  const switchMode = (m: Mode) => {
    setMode(m);
    setLocalError(null);
    setActive({ kind: m === 'chain' ? 'chain' : 'case', i: 0 });
    if (m === 'single') setCases((cs) => [cs[0] ?? '']);
    if (m === 'batch') setCases((cs) => (cs.length >= 2 ? cs : [cs[0] ?? '', '']));
  };

  const submit = async () => {
    setLocalError(null);
    setStarted(null);
    const built = buildStartInput({ mode, task, cases, chain, chainCases, tasks, printReceipt });
    if (!built.ok) {
      setLocalError(built.message);
      return;
    }
    const out = await run('startEvaluation', built.input);
    if (out) {
      setStarted(out.evaluationId);
      setCases(mode === 'batch' ? ['', ''] : ['']);
      setChainCases([]);
    }
  };

  return (
    <div className="start-eval" data-testid="start-form">
      <div className="start-main">
        {paused && (
          <div className="warn-line" data-testid="start-paused">
            窗口暂停服务中，恢复服务后才能发起评价 / resume service to start evaluations
          </div>
        )}
        <ErrorLine error={catalogError} testId="catalog-error" />
        <div className="seg" role="group" aria-label="评价类型">
          {(
            [
              ['single', '单件'],
              ['batch', '批量'],
              ['chain', '一链办'],
            ] as const
          ).map(([m, label]) => (
            <button
              key={m}
              className={`seg-btn${mode === m ? ' on' : ''}`}
              data-testid={`start-mode-${m}`}
              aria-pressed={mode === m}
              onClick={() => switchMode(m)}
            >
              {label}
            </button>
          ))}
        </div>

        {mode !== 'chain' ? (
          <>
            <label className="field">
              <span className="field-label">办理事项 Item</span>
              <select
                className="select"
                data-testid="start-task"
                value={taskCode}
                onChange={(e) => setTaskCode(e.target.value)}
              >
                {tasks.map((t) => (
                  <option key={t.taskCode} value={t.taskCode}>
                    {t.taskName}（{t.promiseType === 1 ? '即办件' : '承诺件'}）
                  </option>
                ))}
              </select>
            </label>
            <div className="field">
              <span className="field-label">
                办件编号 Case No.{mode === 'batch' ? '（同一事项，多个办件）' : ''}
              </span>
              {cases.map((c, i) => (
                <div className="field-with-btn" key={i}>
                  <input
                    className={`text-input${active.kind === 'case' && active.i === i ? ' active' : ''}`}
                    data-testid={caseTestId(i)}
                    value={c}
                    maxLength={50}
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="扫码或输入 / scan or type"
                    onFocus={() => setActive({ kind: 'case', i })}
                    onChange={(e) => setField({ kind: 'case', i }, e.target.value)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') void submit();
                    }}
                  />
                  {mode === 'batch' && cases.length > 2 && (
                    <button
                      className="small-btn"
                      data-testid={`start-remove-case-${i}`}
                      onClick={() => {
                        setCases((cs) => cs.filter((_, j) => j !== i));
                        setActive({ kind: 'case', i: 0 });
                      }}
                    >
                      ✕
                    </button>
                  )}
                </div>
              ))}
              {mode === 'batch' && cases.length < 50 && (
                <button
                  className="mid-btn"
                  data-testid="start-add-case"
                  onClick={() => {
                    setCases((cs) => [...cs, '']);
                    setActive({ kind: 'case', i: cases.length });
                  }}
                >
                  ＋ 添加办件
                </button>
              )}
            </div>
          </>
        ) : (
          <>
            <label className="field">
              <span className="field-label">一链办主题 Chain</span>
              <select
                className="select"
                data-testid="start-chain"
                value={chainName}
                onChange={(e) => {
                  setChainName(e.target.value);
                  setChainCases([]);
                  setActive({ kind: 'chain', i: 0 });
                }}
              >
                {chains.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            {chains.length === 0 && <div className="muted">未配置一链办主题 / no chains configured</div>}
            {chain?.taskCodes.map((code, i) => {
              const t = tasks.find((x) => x.taskCode === code);
              return (
                <label className="field" key={code}>
                  <span className="field-label">
                    {i + 1}. {t?.taskName ?? code}
                  </span>
                  <input
                    className={`text-input${active.kind === 'chain' && active.i === i ? ' active' : ''}`}
                    data-testid={`start-chain-case-${i}`}
                    value={chainCases[i] ?? ''}
                    maxLength={50}
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="办件编号 / case number"
                    onFocus={() => setActive({ kind: 'chain', i })}
                    onChange={(e) => setField({ kind: 'chain', i }, e.target.value)}
                  />
                </label>
              );
            })}
          </>
        )}

        <label className="check">
          <input
            type="checkbox"
            data-testid="start-print"
            checked={printReceipt}
            onChange={(e) => setPrintReceipt(e.target.checked)}
          />
          <span>同时打印办件回执（含评价二维码）/ print receipt</span>
        </label>
        <button
          className="big-btn primary"
          data-testid="start-submit"
          disabled={busy}
          onClick={() => void submit()}
        >
          发起评价 <small>Start evaluation</small>
        </button>
        {localError && (
          <div className="error-line" role="alert" data-testid="start-error" data-code="invalid">
            {localError}
          </div>
        )}
        {!localError && <ErrorLine error={error} testId="start-error" />}
        {started && (
          <div className="ok-line" data-testid="start-ok">
            已发起评价 / started: {started}
          </div>
        )}
      </div>
      <div className="start-pad">
        <div className="field-label">
          屏幕键盘 → {active.kind === 'case' ? `办件编号 ${active.i + 1}` : `第 ${active.i + 1} 项`}
        </div>
        <Keypad
          rows={CASE_ROWS}
          prefix="case-key"
          onKey={(k) => setField(active, applyKey(fieldValue(active), k, 50))}
        />
      </div>
    </div>
  );
}
