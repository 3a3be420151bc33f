/** Chinese first, a small English second line. */
export function Bi({ zh, en, className }: { zh: string; en: string; className?: string }) {
  return (
    <span className={`bi${className ? ` ${className}` : ''}`}>
      <span className="zh">{zh}</span>
      <span className="en">{en}</span>
    </span>
  );
}
