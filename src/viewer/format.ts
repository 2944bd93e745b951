/** How numbers, shapes and values read on the pages (one place, so every page rounds alike). */

const integers = new Intl.NumberFormat('en-US');

export function integer(n: number): string {
  return integers.format(n);
}

/** Four significant digits, exponent form for very small or large magnitudes; '–' for no value. */
export function number(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  if (!Number.isFinite(n)) return String(n);
  if (n === 0 || Number.isInteger(n)) return integers.format(n);
  const magnitude = Math.abs(n);
  return magnitude >= 1e-3 && magnitude < 1e6 ? String(Number(n.toPrecision(4))) : n.toExponential(3);
}

export function percent(share: number | null | undefined, digits = 1): string {
  return share === null || share === undefined || !Number.isFinite(share) ? '–' : `${(share * 100).toFixed(digits)}%`;
}

export function shape(dims: readonly (number | null)[]): string {
  return `[${dims.map((d) => (d === null ? '·' : d)).join(', ')}]`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** An argument's value as JSON, compact (arrays and objects on one line). */
export function value(v: unknown): string {
  return v === undefined ? '–' : JSON.stringify(v);
}
