/** One SimpleNet block: a convolution, then normalisation and activation, then maybe a 2x2 max pool. */
export interface SimpleNetBlock {
  block: number;
  filters: number;
  kernelSize: 1 | 3;
  pool: boolean;
}

type Row = [filters: number, kernelSize: 1 | 3, pool: boolean];

/**
 * The reference implementation's plan: 13 blocks at height and width of at least 32, else 11
 * (the two extra pooled 3x3 blocks after block 8 are left out). Blocks are numbered as the
 * reference implementation counts them (`block += 1` per block), so below 32 the 1x1 blocks are
 * 9 and 10 and the last 3x3 block is 11; layer names, and so PyTorch's state_dict keys, follow.
 */
export function simpleNetPlan(channels: number, height: number, width: number): SimpleNetBlock[] {
  const c = channels;
  const big = height >= 32 && width >= 32;
  const rows: Row[] = [
    [c, 3, false],
    [2 * c, 3, false],
    [2 * c, 3, false],
    [2 * c, 3, true],
    [2 * c, 3, false],
    [2 * c, 3, false],
    [4 * c, 3, true],
    [big ? 4 * c : 8 * c, 3, false],
    ...(big ? ([[4 * c, 3, true], [8 * c, 3, true]] as Row[]) : []),
    [32 * c, 1, false],
    [4 * c, 1, true],
    [4 * c, 3, false],
  ];
  return rows.map(([filters, kernelSize, pool], i) => ({ block: i + 1, filters, kernelSize, pool }));
}
