import { describe, expect, it } from 'vitest';
import { niceCeiling, scaleSeries, type ChartBox } from './chart-scale.js';

const BOX: ChartBox = { width: 220, height: 120, left: 20, right: 0, top: 10, bottom: 10 };

describe('chart scaling', () => {
  it('rounds the axis top up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeiling(0.23)).toBe(0.5);
    expect(niceCeiling(0.3)).toBeCloseTo(0.5, 12);
    expect(niceCeiling(0.2)).toBeCloseTo(0.2, 12);
    expect(niceCeiling(7)).toBe(10);
    expect(niceCeiling(1234)).toBe(2000);
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(Number.NaN)).toBe(1);
  });

  it('spreads points across the plot by block and puts 0 at the bottom, the axis top at the top', () => {
    const chart = scaleSeries(
      [
        { x: 100, y: 0 },
        { x: 200, y: 0.25 },
        { x: 300, y: 0.5 },
      ],
      BOX,
    );
    expect(chart.yMax).toBe(0.5);
    expect(chart.points).toEqual([
      { x: 20, y: 110 },
      { x: 120, y: 60 },
      { x: 220, y: 10 },
    ]);
    expect(chart.polyline).toBe('20,110 120,60 220,10');
    expect([chart.xMin, chart.xMax]).toEqual([100, 300]);
  });

  it('puts a single point in the middle and keeps an all-zero series on the bottom line', () => {
    expect(scaleSeries([{ x: 5, y: 0.3 }], BOX).points).toEqual([{ x: 120, y: 50 }]);
    const zeros = scaleSeries(
      [
        { x: 1, y: 0 },
        { x: 2, y: 0 },
      ],
      BOX,
    );
    expect(zeros.yMax).toBe(1);
    expect(zeros.points.map((point) => point.y)).toEqual([110, 110]);
  });

  it('refuses a box with no room for the plot', () => {
    expect(() => scaleSeries([], { ...BOX, width: 10 })).toThrow(/no room/);
  });
});
