/** A PIN being typed, shown as dots (never the digits), with a hint while it is empty. */
export function PinDots({ pin, testId, hint }: { pin: string; testId: string; hint: string }) {
  return (
    <div className="pin-dots" data-testid={testId} aria-label={`已输入 ${pin.length} 位`}>
      {pin.length === 0 ? <span className="muted">{hint}</span> : '●'.repeat(pin.length)}
    </div>
  );
}
