/** Debian's python3-onnx on exported files: onnx.checker with full_check (shape inference included), and what the graph declares. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CheckedOnnx {
  /** null when onnx.checker accepts the file, else its message. */
  error: string | null;
  opset: number[];
  inputs: [string, (number | string)[]][];
  outputs: [string, (number | string)[]][];
  metadata: Record<string, string>;
}

const SCRIPT = `
import json, sys, onnx
out = {}
for path in sys.argv[1:]:
    model = onnx.load(path)
    try:
        onnx.checker.check_model(model, full_check=True)
        error = None
    except Exception as e:
        error = str(e)
    dims = lambda v: [d.dim_param if d.HasField('dim_param') else d.dim_value for d in v.type.tensor_type.shape.dim]
    out[path] = {
        'error': error,
        'opset': [o.version for o in model.opset_import],
        'inputs': [[v.name, dims(v)] for v in model.graph.input],
        'outputs': [[v.name, dims(v)] for v in model.graph.output],
        'metadata': {p.key: p.value for p in model.metadata_props},
    }
print(json.dumps(out))
`;

export async function checkOnnxFiles(files: string[]): Promise<Record<string, CheckedOnnx>> {
  const { stdout } = await run('/usr/bin/python3', ['-c', SCRIPT, ...files], { maxBuffer: 1 << 26 });
  return JSON.parse(stdout) as Record<string, CheckedOnnx>;
}
