import type { ReactNode } from 'react';
import type { SettingsChange } from '../../../src/api/tech-settings.js';
import { Bi } from '../components/Bi.js';
import { SETTINGS_TEXT, type SettingsTextKey } from './settings-text.js';

/** Applies one part's change; the tab shows the answer. */
export type Apply = (change: SettingsChange) => Promise<void>;

/** A text of the 设置 tab, Chinese first with the small English line. */
export function Tx({ k }: { k: SettingsTextKey }) {
  const t = SETTINGS_TEXT[k];
  return <Bi zh={t.zh} en={t.en} />;
}

/** One choice of a few, as big buttons (no dropdown to aim at on a touch screen). */
export function Choice<T extends string | number>({
  value,
  options,
  onChange,
  testId,
}: {
  value: T;
  options: ReadonlyArray<readonly [T, SettingsTextKey | string]>;
  onChange: (v: T) => void;
  testId: string;
}) {
  return (
    <div className="btn-row" role="radiogroup">
      {options.map(([v, label]) => (
        <button
          key={String(v)}
          type="button"
          role="radio"
          aria-checked={v === value}
          className={`mid-btn${v === value ? ' primary' : ''}`}
          data-testid={`${testId}-${String(v)}`}
          onClick={() => onChange(v)}
        >
          {label in SETTINGS_TEXT ? <Tx k={label as SettingsTextKey} /> : label}
        </button>
      ))}
    </div>
  );
}

export function Field({ label, children }: { label: SettingsTextKey; children: ReactNode }) {
  return (
    <label className="field">
      <span className="field-label">
        <Tx k={label} />
      </span>
      {children}
    </label>
  );
}

/** A labelled one-line text field; `numeric` brings up the digit keyboard on a touch screen. */
export function TextField({
  label,
  testId,
  value,
  onChange,
  placeholder,
  numeric = false,
}: {
  label: SettingsTextKey;
  testId: string;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  numeric?: boolean;
}) {
  return (
    <Field label={label}>
      <input
        className="text-input"
        data-testid={testId}
        value={value}
        spellCheck={false}
        {...(numeric ? { inputMode: 'numeric' as const } : {})}
        {...(placeholder ? { placeholder } : {})}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

export function Section({
  title,
  testId,
  children,
}: {
  title: SettingsTextKey;
  testId: string;
  children: ReactNode;
}) {
  return (
    <section className="settings-section" data-testid={testId}>
      <h3>
        <Tx k={title} />
      </h3>
      {children}
    </section>
  );
}

export function ApplyButton({
  testId,
  disabled,
  onClick,
}: {
  testId: string;
  disabled?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      className="big-btn primary settings-apply"
      data-testid={testId}
      disabled={disabled}
      onClick={onClick}
    >
      <Tx k="apply" />
    </button>
  );
}

/** A whole number from a text field, or null while it is not one. */
export function wholeNumber(text: string): number | null {
  return /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : null;
}
