import type { OnnxAttribute, OnnxNode, OnnxTensor } from '../../../core/onnx/graph.js';

/**
 * How a value's axes are laid out. TF.js computes in NHWC; ONNX's Conv and pooling operators
 * want NCHW. A rank-4 value stays in whichever layout produced it and is transposed (once) only
 * when an operator needs the other; `flat` is [batch, features].
 */
export type Layout = 'nhwc' | 'nchw' | 'flat';

/** A tensor flowing through the graph being built. */
export interface Value {
  name: string;
  layout: Layout;
}

/** The Transpose permutation into each rank-4 layout from the other. */
const PERMUTATION_TO: Record<'nhwc' | 'nchw', number[]> = { nchw: [0, 3, 1, 2], nhwc: [0, 2, 3, 1] };

/** Collects nodes and initializers with unique names, so converters only say what they compute. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();
  private readonly transposed = new Map<string, Value>();

  /** A fresh name from `base` (layer names such as "block1.0.conv1" are kept readable). */
  name(base: string): string {
    let name = base;
    for (let n = 1; this.used.has(name); n += 1) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }

  /** A float32 constant. */
  constant(base: string, dims: number[], data: Float32Array | number[]): string {
    const name = this.name(base);
    this.initializers.push({ name, dims, data: data instanceof Float32Array ? data : Float32Array.from(data) });
    return name;
  }

  /** An int64 constant (shapes, pads). */
  int64(base: string, values: number[]): string {
    const name = this.name(base);
    this.initializers.push({ name, dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) });
    return name;
  }

  /** Adds one node with one output, named after `base`; returns the output's name. */
  op(opType: string, base: string, inputs: string[], attributes?: Record<string, OnnxAttribute>): string {
    const output = this.name(base);
    this.nodes.push({ opType, name: output, inputs, outputs: [output], ...(attributes ? { attributes } : {}) });
    return output;
  }

  /** `value` in `layout` (a rank-4 layout), transposing it once however often it is asked for. */
  inLayout(value: Value, layout: 'nhwc' | 'nchw'): Value {
    if (value.layout === layout) return value;
    if (value.layout === 'flat') throw new Error(`value ${value.name} is flat, it has no ${layout} layout`);
    const key = `${value.name}:${layout}`;
    let done = this.transposed.get(key);
    if (!done) {
      done = { name: this.op('Transpose', `${value.name}.${layout}`, [value.name], { perm: { ints: PERMUTATION_TO[layout] } }), layout };
      this.transposed.set(key, done);
    }
    return done;
  }
}

/** The shape of a per-channel constant that broadcasts over a value of this layout. */
export function channelDims(layout: Layout, channels: number): number[] {
  return layout === 'nchw' ? [channels, 1, 1] : [channels];
}
