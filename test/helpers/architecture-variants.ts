/**
 * Small instances of a registered architecture that between them use every option its schema
 * offers: the schema's first example, then one variant per other value of each enum property
 * (normalisation, activation, pooling, block ...), each boolean flipped, a dropout rate where
 * dropout is a number, and clamp + whitening on a 3-channel input. For tests that must hold for
 * every layer kind an architecture can be built from (ONNX export, inference engines).
 */
import * as tf from '@tensorflow/tfjs';
import { architectures } from '../../src/index.js';
import { seededValues } from './compare.js';

export interface ArchitectureVariant {
  label: string;
  args: Record<string, unknown>;
}

interface PropertySchema {
  enum?: unknown[];
  type?: string;
  default?: unknown;
}

export function architectureVariants(name: string): ArchitectureVariant[] {
  const schema = architectures.get(name).schema as { examples?: Record<string, unknown>[]; properties: Record<string, PropertySchema> };
  const base = schema.examples![0]!;
  const variants: ArchitectureVariant[] = [{ label: 'example', args: base }];
  for (const [key, property] of Object.entries(schema.properties)) {
    const current = base[key] ?? property.default;
    if (property.enum) {
      for (const value of property.enum) if (value !== current) variants.push({ label: `${key}=${String(value)}`, args: { ...base, [key]: value } });
    } else if (property.type === 'boolean' && key !== 'clamp') {
      variants.push({ label: `${key}=${String(!current)}`, args: { ...base, [key]: !current } });
    } else if (key === 'dropout' && property.type === 'number') {
      variants.push({ label: 'dropout=0.25', args: { ...base, dropout: 0.25 } });
    }
  }
  const [, height, width] = base.resolution as number[];
  variants.push({
    label: 'clamp, whitening, 3 channels',
    args: { ...base, resolution: [3, height, width], clamp: true, whitening: { mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] } },
  });
  return variants;
}

/**
 * Gives every batch and group norm non-trivial statistics and affine weights (variances and
 * gammas positive), so that folding and normalisation are tested for real, not on identities.
 */
export function randomiseNormalizations(model: tf.LayersModel, seed = 1): void {
  for (const layer of model.layers) {
    if (!['BatchNormalization', 'ArchbundleGroupNormalization'].includes(layer.getClassName())) continue;
    layer.setWeights(layer.weights.map((w) => {
      const values = seededValues(tf.util.sizeFromShape(w.shape as number[]), seed++);
      const positive = /(variance|gamma)$/.test(w.originalName);
      return tf.tensor(Array.from(values, (v) => (positive ? 0.5 + Math.abs(v) : v)), w.shape as number[]);
    }));
  }
}
