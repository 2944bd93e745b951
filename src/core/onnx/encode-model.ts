/**
 * Encodes an OnnxGraph as an ONNX ModelProto (protobuf bytes) with protobufjs, against our own
 * descriptor of the ONNX messages (proto-descriptor.ts).
 */
import protobuf from 'protobufjs/light.js';
import { ArchbundleError } from '../errors.js';
import { ONNX_DATA_TYPE, type OnnxAttribute, type OnnxGraph, type OnnxTensor, type OnnxValueInfo } from './graph.js';
import { ONNX_PROTO } from './proto-descriptor.js';

/**
 * The operator set archbundle's graphs use: the default domain's opset 17 (ONNX 1.12), the
 * newest that Debian's python3-onnx checks and that every onnxruntime since 1.13 runs.
 */
export const ONNX_OPSET = 17;
/** The IR version that goes with opset 17. */
export const ONNX_IR_VERSION = 8;

const root = protobuf.Root.fromJSON(ONNX_PROTO as unknown as protobuf.INamespace);
const ModelProto = root.lookupType('onnx.ModelProto');
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface EncodeOptions {
  producerVersion?: string;
}

/** The ONNX file's bytes for `graph`. */
export function encodeOnnxModel(graph: OnnxGraph, options: EncodeOptions = {}): Uint8Array {
  const message = {
    irVersion: ONNX_IR_VERSION,
    producerName: 'archbundle',
    producerVersion: options.producerVersion ?? '',
    docString: graph.docString ?? '',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: Object.entries(graph.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: graph.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([name, value]) => attribute(name, value)),
      })),
      initializer: graph.initializers.map(tensorProto),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  };
  const problem = ModelProto.verify(message);
  if (problem) {
    // a graph the exporter built wrong: refused like an unsupported layer, so `auto` engines fall back to TF.js
    throw new ArchbundleError('E_EXPORT_UNSUPPORTED', `ONNX graph "${graph.name}" cannot be encoded: a field does not hold the type ONNX's ModelProto expects (${problem})`);
  }
  return ModelProto.encode(ModelProto.fromObject(message)).finish();
}

function attribute(name: string, value: OnnxAttribute) {
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: value.ints };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
}

function tensorProto(tensor: OnnxTensor) {
  const dataType = tensor.data instanceof Float32Array ? ONNX_DATA_TYPE.float32 : ONNX_DATA_TYPE.int64;
  return { name: tensor.name, dims: tensor.dims, dataType, rawData: littleEndianBytes(tensor.data) };
}

/** ONNX raw_data is little-endian whatever the host; typed arrays use the host's order. */
function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return bytes;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function valueInfo(info: OnnxValueInfo) {
  return {
    name: info.name,
    type: {
      tensorType: {
        elemType: ONNX_DATA_TYPE.float32,
        shape: { dim: info.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
