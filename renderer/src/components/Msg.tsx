import { useT, type MessageKey } from '../i18n/index.js';

/** A catalog text in the citizen's language, with the small English second line on Chinese screens. */
export function Msg({
  k,
  vars,
  className,
}: {
  k: MessageKey;
  vars?: Record<string, string | number>;
  className?: string;
}) {
  const { t, sub } = useT();
  const second = sub(k, vars);
  return (
    <span className={`bi${className ? ` ${className}` : ''}`}>
      <span className="zh">{t(k, vars)}</span>
      {second !== null && (
        <span className="en" lang="en">
          {second}
        </span>
      )}
    </span>
  );
}
