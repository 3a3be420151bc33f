/** An on-screen keypad: `keys` rows of labels; each key gets data-testid `${prefix}-${id}`. */
export interface KeyDef {
  id: string;
  label: string;
  wide?: boolean;
}

export const DIGIT_ROWS: KeyDef[][] = [
  [
    { id: '1', label: '1' },
    { id: '2', label: '2' },
    { id: '3', label: '3' },
  ],
  [
    { id: '4', label: '4' },
    { id: '5', label: '5' },
    { id: '6', label: '6' },
  ],
  [
    { id: '7', label: '7' },
    { id: '8', label: '8' },
    { id: '9', label: '9' },
  ],
];

/** Digits with 清除 and ⌫: for PINs and codes. */
export const PIN_ROWS: KeyDef[][] = [
  ...DIGIT_ROWS,
  [
    { id: 'clear', label: '清除' },
    { id: '0', label: '0' },
    { id: 'back', label: '⌫' },
  ],
];

export function Keypad({
  rows,
  prefix,
  onKey,
  disabled,
}: {
  rows: KeyDef[][];
  prefix: string;
  onKey: (id: string) => void;
  disabled?: boolean;
}) {
  return (
    <div className="keypad" data-testid={`${prefix}-pad`}>
      {rows.map((row, i) => (
        <div className="keypad-row" key={i}>
          {row.map((k) => (
            <button
              key={k.id}
              type="button"
              className={`key${k.wide ? ' wide' : ''}`}
              data-testid={`${prefix}-${k.id}`}
              disabled={disabled}
              // Keep focus where it is (the field being typed into) when a key is tapped.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => onKey(k.id)}
            >
              {k.label}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}

/** Applies a keypad key to a text value: digits and characters append, back/clear edit. */
export function applyKey(value: string, id: string, maxLength = 50): string {
  if (id === 'back') return value.slice(0, -1);
  if (id === 'clear') return '';
  if (id === 'dash') return value.length < maxLength ? value + '-' : value;
  return value.length < maxLength ? value + id : value;
}

/**
 * The digit pad of the PIN and code screens: applies each key to the value and hands the new
 * value back, digits only and at most `maxLength` of them.
 */
export function PinKeypad({
  prefix,
  maxLength,
  onChange,
}: {
  prefix: string;
  maxLength: number;
  onChange: (edit: (value: string) => string) => void;
}) {
  return (
    <Keypad
      rows={PIN_ROWS}
      prefix={prefix}
      onKey={(k) => onChange((v) => applyKey(v, k, maxLength).replace(/\D/g, ''))}
    />
  );
}
