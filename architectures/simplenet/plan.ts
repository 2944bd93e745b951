/** One SimpleNet block: a convolution, then normalisation and activation, then maybe a 2x2 max pool. */
export interface SimpleNetBlock {
  block: number;
  filters: number;
  kernelSize: 1 | 3;
  pool: boolean;
}

/**
 * The reference implementation's 13-block plan; blocks 9 and 10 exist only when height and width
 * are at least 32.
 */
export function simpleNetPlan(channels: number, height: number, width: number): SimpleNetBlock[] {
  const c = channels;
  const big = height >= 32 && width >= 32;
  const rows: [number, number, 1 | 3, boolean][] = [
    [1, c, 3, false],
    [2, 2 * c, 3, false],
    [3, 2 * c, 3, false],
    [4, 2 * c, 3, true],
    [5, 2 * c, 3, false],
    [6, 2 * c, 3, false],
    [7, 4 * c, 3, true],
    [8, big ? 4 * c : 8 * c, 3, false],
    ...(big ? ([[9, 4 * c, 3, true], [10, 8 * c, 3, true]] as [number, number, 1 | 3, boolean][]) : []),
    [11, 32 * c, 1, false],
    [12, 4 * c, 1, true],
    [13, 4 * c, 3, false],
  ];
  return rows.map(([block, filters, kernelSize, pool]) => ({ block, filters, kernelSize, pool }));
}
