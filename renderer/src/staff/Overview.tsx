import type { Figures, StaffOverview } from '../../../src/api/contract.js';
import { percent } from '../lib/format.js';

/** Labels as the rules name them (domain.md 三(二)); 服务满意率, not 好评率. */
export const FIGURE_LABELS = {
  started: '发起评价',
  rated: '已评价',
  unrated: '未评价',
  abandoned: '放弃的差评',
  cancelled: '已撤销',
  coverage: '评价覆盖率',
  satisfaction: '服务满意率',
  bad: '差评',
} as const;

function FigureCard({ title, en, f, testId }: { title: string; en: string; f: Figures; testId: string }) {
  const cells: Array<[keyof typeof FIGURE_LABELS, string, boolean?]> = [
    ['started', String(f.started)],
    ['rated', String(f.rated)],
    ['unrated', String(f.unrated)],
    ['abandoned', String(f.abandonedBad), f.abandonedBad > 0],
    ['cancelled', String(f.cancelled)],
    ['coverage', percent(f.coverageRate)],
    ['satisfaction', percent(f.satisfactionRate)],
    ['bad', String(f.badCount), f.badCount > 0],
  ];
  return (
    <section className="figure-card" data-testid={testId}>
      <h3>
        {title} <small>{en}</small>
      </h3>
      <div className="figure-grid">
        {cells.map(([id, value, alert]) => (
          <div key={id} className={`figure${alert ? ' alert' : ''}`}>
            <div className="figure-value" data-testid={`${testId}-${id}`}>
              {value}
            </div>
            <div className="figure-label">{FIGURE_LABELS[id]}</div>
          </div>
        ))}
      </div>
      {f.pending > 0 && (
        <div className="muted small" data-testid={`${testId}-pending`}>
          另有 {f.pending} 件评价稍后计入 / {f.pending} still to be counted
        </div>
      )}
    </section>
  );
}

export function Overview({ overview, onRefresh }: { overview: StaffOverview | null; onRefresh: () => void }) {
  if (!overview) return <div className="muted pad">正在读取… / loading…</div>;
  const w = overview.window;
  return (
    <div className="overview">
      <h2 className="figures-heading">我的数据 / Mine</h2>
      <div className="figures">
        <FigureCard title="今日" en="Today" f={overview.today} testId="figures-today" />
        <FigureCard title="本月" en="This month" f={overview.month} testId="figures-month" />
      </div>
      <h2 className="figures-heading">
        {w.windowNo} 号窗口 / Window {w.windowNo}
      </h2>
      <div className="figures" data-testid="window-figures">
        <FigureCard title="今日" en="Today" f={w.today} testId="window-today" />
        <FigureCard title="本月" en="This month" f={w.month} testId="window-month" />
      </div>
      <p className="muted small" data-testid="figures-note">
        评价覆盖率 = 已评价 ÷ 发起评价（含已撤销）；服务满意率 = 满意及以上 ÷ 已评价。
        以上为本评价器所见；群众扫码和短信评价由平台统计。 / Coverage = rated ÷ started (cancelled included);
        satisfaction = 3–5 stars ÷ rated. QR-code and SMS ratings are counted by the platform.
      </p>
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
