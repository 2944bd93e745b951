/**
 * A bundle's weights as plain arrays, read by the core reader alone (checked like any load, no
 * TF.js, no model built): what the compare page needs of a bundle already summarised.
 */
import type { BundleSource } from '../../core/bundle/byte-source.js';
import { readBundle } from '../../core/bundle/read-bundle.js';
import type { TensorRecord } from '../../core/bundle/tensor-table.js';
import type { NamedValues } from './tensor-change.js';

export async function readWeightValues(source: BundleSource): Promise<NamedValues[]> {
  const weights: NamedValues[] = [];
  await readBundle(source, {
    receiver: {
      tensor(group, record) {
        if (group !== 'weights') return undefined;
        const target = new Uint8Array(record.byteLength);
        return { target, end: () => void weights.push({ name: record.name, shape: [...record.shape], values: typedValues(record, target) }) };
      },
    },
  });
  return weights;
}

/** The little-endian bytes as numbers (a fresh buffer, so aligned for a typed array view). */
function typedValues(record: TensorRecord, bytes: Uint8Array): ArrayLike<number> {
  switch (record.dtype) {
    case 'float32':
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    case 'int32':
      return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    case 'bool':
      return bytes;
  }
}
