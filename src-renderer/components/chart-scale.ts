/**
 * The arithmetic of the small line charts (no chart library: one series, a few dozen to a few
 * hundred points, drawn as an SVG polyline). Pure, so its scaling is tested without a browser.
 */

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
}

export interface ChartBox {
  readonly width: number;
  readonly height: number;
  /** Room left of and below the plot for labels; the plot fills the rest. */
  readonly left: number;
  readonly bottom: number;
  readonly top: number;
  readonly right: number;
}

export interface ScaledChart {
  /** `x,y x,y …` in SVG units, for <polyline points>. */
  readonly polyline: string;
  /** The same points, for markers. */
  readonly points: readonly ChartPoint[];
  /** The y-axis top (a round number at or above the largest value); the bottom is 0. */
  readonly yMax: number;
  readonly xMin: number;
  readonly xMax: number;
}

/** The smallest 1, 2 or 5 × 10^k at or above `value`; 1 for 0 or less (an all-zero series still gets an axis). */
export function niceCeiling(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    const candidate = step * magnitude;
    // Tolerates float noise: 0.3 / 0.1 is not exactly 3.
    if (candidate >= value * (1 - 1e-12)) return candidate;
  }
  return 10 * magnitude;
}

/**
 * Maps points (x ascending, y ≥ 0) into the box: x from the first to the last point across the
 * plot (a single point in the middle), y from 0 at the bottom to niceCeiling(max) at the top.
 */
export function scaleSeries(series: readonly ChartPoint[], box: ChartBox): ScaledChart {
  const plotWidth = box.width - box.left - box.right;
  const plotHeight = box.height - box.top - box.bottom;
  if (plotWidth <= 0 || plotHeight <= 0) throw new Error('the chart box leaves no room for the plot');
  const xMin = series.length === 0 ? 0 : Math.min(...series.map((point) => point.x));
  const xMax = series.length === 0 ? 0 : Math.max(...series.map((point) => point.x));
  const yMax = niceCeiling(Math.max(0, ...series.map((point) => point.y)));
  const points = series.map((point) => ({
    x: round(box.left + (xMax === xMin ? plotWidth / 2 : ((point.x - xMin) / (xMax - xMin)) * plotWidth)),
    y: round(box.top + plotHeight - (Math.max(0, point.y) / yMax) * plotHeight),
  }));
  return { polyline: points.map((point) => `${point.x},${point.y}`).join(' '), points, yMax, xMin, xMax };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
