import type { Figures, StaffOverview } from '../../../src/api/contract.js';
import { percent } from '../lib/format.js';

function FigureCard({ title, en, f, testId }: { title: string; en: string; f: Figures; testId: string }) {
  const cells: Array<[string, string, string, boolean?]> = [
    ['started', '发起评价', String(f.started)],
    ['rated', '已评价', String(f.rated)],
    ['unrated', '未评价', String(f.unrated)],
    ['coverage', '评价覆盖率', percent(f.coverageRate)],
    ['good', '好评率', percent(f.goodRate)],
    ['bad', '差评', String(f.badCount), f.badCount > 0],
  ];
  return (
    <section className="figure-card" data-testid={testId}>
      <h3>
        {title} <small>{en}</small>
      </h3>
      <div className="figure-grid">
        {cells.map(([id, label, value, alert]) => (
          <div key={id} className={`figure${alert ? ' alert' : ''}`}>
            <div className="figure-value" data-testid={`${testId}-${id}`}>
              {value}
            </div>
            <div className="figure-label">{label}</div>
          </div>
        ))}
      </div>
    </section>
  );
}

export function Overview({ overview, onRefresh }: { overview: StaffOverview | null; onRefresh: () => void }) {
  if (!overview) return <div className="muted pad">正在读取… / loading…</div>;
  return (
    <div className="overview">
      <div className="figures">
        <FigureCard title="今日" en="Today" f={overview.today} testId="figures-today" />
        <FigureCard title="本月" en="This month" f={overview.month} testId="figures-month" />
      </div>
      <div className="row-between">
        <span className="muted">
          差评可在 {overview.appealWorkingDays} 个工作日内申诉 · 评价结果不在评价时向工作人员显示
        </span>
        <button className="mid-btn" data-testid="overview-refresh" onClick={onRefresh}>
          刷新
        </button>
      </div>
    </div>
  );
}
