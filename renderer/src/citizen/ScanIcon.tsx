export function ScanIcon() {
  return (
    <div className="scan-icon" aria-hidden="true">
      <svg viewBox="0 0 24 24" width="64" height="64">
        <path d="M3 3h7v7H3zM14 3h7v7h-7zM3 14h7v7H3z" fill="none" stroke="currentColor" strokeWidth="2" />
        <path d="M14 14h3v3h-3zM18 18h3v3h-3zM18 14h3v2M14 19h2v2" fill="currentColor" />
      </svg>
    </div>
  );
}
