import type { ReactNode } from 'react';
import { scaleSeries, type ChartBox, type ChartPoint } from './chart-scale.js';

const BOX: ChartBox = { width: 640, height: 160, left: 64, right: 12, top: 10, bottom: 24 };

/**
 * One series over blocks as a hand-drawn SVG line (the few points of an epoch history need no
 * chart library). Labelled for screen readers; the numbers are also in the table beside it.
 */
export function LineChart({
  title,
  series,
  formatY,
  testId,
  noun = 'epoch',
}: {
  title: string;
  series: readonly ChartPoint[];
  formatY: (value: number) => string;
  testId: string;
  /** What one point is, for the label: an epoch (default), a round, a submission. */
  noun?: string;
}): ReactNode {
  const chart = scaleSeries(series, BOX);
  const bottom = BOX.height - BOX.bottom;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="subhead">{title}</figcaption>
      <svg
        className="chart__svg"
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        role="img"
        aria-label={`${title}: ${series.length} ${noun}${series.length === 1 ? '' : 's'}, blocks ${chart.xMin} to ${chart.xMax}`}
      >
        <line className="chart__axis" x1={BOX.left} y1={BOX.top} x2={BOX.left} y2={bottom} />
        <line className="chart__axis" x1={BOX.left} y1={bottom} x2={BOX.width - BOX.right} y2={bottom} />
        <text className="chart__label" x={BOX.left - 6} y={BOX.top + 4} textAnchor="end">
          {formatY(chart.yMax)}
        </text>
        <text className="chart__label" x={BOX.left - 6} y={bottom} textAnchor="end">
          {formatY(0)}
        </text>
        <text className="chart__label" x={BOX.left} y={BOX.height - 6}>
          block {chart.xMin}
        </text>
        <text className="chart__label" x={BOX.width - BOX.right} y={BOX.height - 6} textAnchor="end">
          block {chart.xMax}
        </text>
        {chart.points.length > 1 && <polyline className="chart__line" points={chart.polyline} />}
        {chart.points.map((point, index) => (
          <circle key={index} className="chart__dot" cx={point.x} cy={point.y} r={2.5} />
        ))}
      </svg>
    </figure>
  );
}
