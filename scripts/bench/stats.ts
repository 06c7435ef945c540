/** Small, pure statistics for the benchmark: summaries of repeated runs and a least-squares line. */

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summary of no values');
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), count: values.length };
}

export interface LinearFit {
  /** Cost of one more unit of x (e.g. seconds per homeserver). */
  readonly slope: number;
  readonly intercept: number;
  /** Coefficient of determination: 1 means the points lie on the line. */
  readonly r2: number;
}

/** Ordinary least squares y = intercept + slope·x; needs at least two distinct x. */
export function linearFit(points: readonly (readonly [number, number])[]): LinearFit {
  if (points.length < 2) throw new RangeError('a line needs at least two points');
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  if (sxx === 0) throw new RangeError('a line needs at least two distinct x values');
  const sxy = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const totalSquares = points.reduce((sum, [, y]) => sum + (y - meanY) ** 2, 0);
  const residualSquares = points.reduce((sum, [x, y]) => sum + (y - (intercept + slope * x)) ** 2, 0);
  return { slope, intercept, r2: totalSquares === 0 ? 1 : 1 - residualSquares / totalSquares };
}

/** Slopes between consecutive points (sorted by x): the marginal cost of each step. */
export function segmentSlopes(
  points: readonly (readonly [number, number])[],
): { readonly from: number; readonly to: number; readonly slope: number }[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  return sorted.slice(1).map(([x, y], index) => {
    const [x0, y0] = sorted[index] as readonly [number, number];
    return { from: x0, to: x, slope: (y - y0) / (x - x0) };
  });
}
