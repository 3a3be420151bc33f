import { useKiosk } from '../store.js';

export function Notices({ audience }: { audience: 'staff' | 'tech' }) {
  const notices = useKiosk((s) => s.notices);
  const dismiss = useKiosk((s) => s.dismissNotice);
  const mine = notices.filter((n) => n.audience === audience || audience === 'tech');
  if (mine.length === 0) return null;
  return (
    <div className="notices" data-testid={`notices-${audience}`}>
      {mine.map((n) => (
        <div key={n.id} className={`notice ${n.level}`} role="status">
          <span>{n.text}</span>
          <button className="small-btn" data-testid={`notice-dismiss-${n.id}`} onClick={() => dismiss(n.id)}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
