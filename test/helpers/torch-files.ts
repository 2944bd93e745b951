/**
 * The PyTorch files scripts/torch_files.py writes, and expected.json: each case's value as
 * torch.load gives it, tagged by Python type (see the script for the encoding).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './import-graph.js';

export const FIXTURES = join(ROOT, 'test/fixtures/torch-files');

export interface TaggedTensor {
  dtype: string;
  shape: number[];
  stride: number[];
  offset: number;
  requiresGrad: boolean;
  storage: number;
  storageSize: number;
  /** float dtypes: the values as float32 bits, hex */
  float32?: string[];
  /** float64 tensors: the values' IEEE double bits, hex */
  float64?: string[];
  /** integer and bool dtypes: decimal values */
  ints?: string[];
}

export type Tagged =
  | null
  | { bool: boolean }
  | { int: string }
  | { float: string }
  | { str: string }
  | { bytes: string }
  | { device: string }
  | { tuple: Tagged[] }
  | { list: Tagged[] }
  | { dict: [Tagged, Tagged][]; attributes?: [string, Tagged][] }
  | { tensor: TaggedTensor };

export interface Expected {
  torch: string;
  files: Record<string, { case: string; format: 'zip' | 'legacy'; protocol: number }>;
  /** Files a reader must refuse, with the global that gives them away. */
  refused: Record<string, { format: 'zip' | 'legacy'; global: string }>;
  cases: Record<string, Tagged>;
}

export const expected: Expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}
