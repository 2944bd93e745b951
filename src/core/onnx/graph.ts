/**
 * An ONNX model as plain data: what src/tfjs/export/onnx builds from a TF.js model and
 * encode-model.ts turns into protobuf bytes. It knows nothing of TF.js or of files.
 */

/** Element types archbundle writes (ONNX TensorProto.DataType numbers). */
export const ONNX_DATA_TYPE = { float32: 1, int64: 7 } as const;

/** A constant tensor (an initializer): row-major, little-endian. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

/** A node attribute, typed as ONNX's AttributeProto needs it (an int and a float differ on the wire). */
export type OnnxAttribute =
  | { int: number }
  | { ints: number[] }
  | { float: number }
  | { floats: number[] }
  | { string: string };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttribute>;
}

/** A graph input or output: float32 of this shape; a string dimension is symbolic (e.g. "batch"). */
export interface OnnxValueInfo {
  name: string;
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Free text kept in the model (e.g. the archbundle arch.json it came from). */
  metadata?: Record<string, string>;
  docString?: string;
}
