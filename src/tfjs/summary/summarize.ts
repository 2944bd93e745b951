/**
 * A loaded bundle as the viewer and the report show it (`BundleSummary`): the model's
 * documentation, layers, per-tensor statistics and training record. Runs in the browser and in
 * Node on what `loadLive` returns; it reads the weights where the backend keeps them and disposes
 * nothing (the caller owns the model).
 */
import type { LoadedBundle } from '../bundle/load-live.js';
import type { BundleSummary, TensorSummary } from '../../core/viewer-protocol.js';
import { describeArguments } from './arguments.js';
import { summarizeLayers } from './layers.js';
import type { NamedValues } from './tensor-change.js';
import { tensorStats } from './tensor-stats.js';
import { summarizeOptimizer } from '../../core/bundle/optimizer-summary.js';

export interface BundleIdentity {
  /** The file name. */
  name: string;
  bytes: number;
}

export function summarizeBundle(loaded: LoadedBundle, file: BundleIdentity): BundleSummary {
  const { contents, model } = loaded;
  const { arch, manifest } = contents;
  const values = new Map(weightValues(loaded).map((w) => [w.name, w.values]));
  const tensors: TensorSummary[] = contents.weights.map((record) => ({
    name: record.name,
    dtype: record.dtype,
    shape: [...record.shape],
    ...tensorStats(values.get(record.name) ?? []),
  }));
  return {
    name: file.name,
    bytes: file.bytes,
    class: arch.class,
    schemaId: arch.schemaId,
    schemaVersion: arch.schemaVersion,
    savedSchemaVersion: arch.savedSchemaVersion,
    migrations: [...arch.migrations],
    args: describeArguments(arch.class, model.args),
    // as `archbundle inspect` counts: the elements of every stored weight
    parameters: contents.weights.reduce((n, t) => n + elements(t.shape), 0),
    trainableParameters: model.parameterCount(true),
    layers: summarizeLayers(model.net),
    tensors,
    input: contents.input ?? null,
    optimizer: summarizeOptimizer(contents.optimizer),
    scheduler: contents.scheduler ? { class: contents.scheduler.class, args: contents.scheduler.args, state: contents.scheduler.state } : null,
    training: contents.training,
    versions: { format: manifest.formatVersion, archbundle: manifest.archbundleVersion, tfjs: manifest.tfjsVersion },
    // loadLive returns only after every entry's size and sha256 matched the manifest
    checksums: { verified: true, entries: manifest.entries.length },
  };
}

/**
 * The stored weights' values, in the bundle's order. `dataSync` hands out the cpu backend's own
 * array (other backends copy), so take one tensor's values at a time where memory matters.
 */
export function weightValues(loaded: LoadedBundle): NamedValues[] {
  const variables = new Map(loaded.model.namedWeights().map((w) => [w.name, w.variable]));
  return loaded.contents.weights.flatMap((record) => {
    const variable = variables.get(record.name);
    return variable ? [{ name: record.name, shape: [...record.shape], values: variable.read().dataSync() as ArrayLike<number> }] : [];
  });
}

function elements(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
