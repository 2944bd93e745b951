/**
 * Input files as model-ready examples: PNG and JPEG images, .npy arrays and IDX files, each
 * checked against the shape the model takes and turned into NHWC floats. 8-bit values (images,
 * uint8 arrays, IDX) are scaled with the bundle's pixel scaling; float32 arrays are used as given.
 */
import type { PixelScaling } from '../../core/bundle/entries.js';
import { EnvironmentError } from '../../core/errors.js';
import { parseIdx } from '../data/idx.js';
import { decodeImage, type ImageFormat, type ImageTarget } from './images.js';
import { parseNpy } from './npy.js';
import { readInputFile } from './read-input-file.js';

/** Order of an array's dimensions: NumPy/TF.js (height, width, channels) or PyTorch's (channels, height, width). */
export type ArrayLayout = 'nhwc' | 'nchw';

export interface ModelInput extends ImageTarget {
  pixels: PixelScaling;
}

export interface ReadOptions {
  /** Dimension order of .npy arrays and of IDX files with a channel dimension (default nhwc). */
  layout?: ArrayLayout;
  /** Stretch images whose size differs from the model's (arrays are never resized). */
  resize?: boolean;
}

/** One example: its name (`file`, or `file[i]` inside a batch) and height × width × channels floats. */
export interface Sample {
  name: string;
  values: Float32Array;
}

type InputKind = { kind: 'image'; format: ImageFormat } | { kind: 'npy' } | { kind: 'idx' };

/** The kind of input a file name says it is; IDX files are named like MNIST's (`*-ubyte`, `.idx`), optionally `.gz`. */
export function inputKind(file: string): InputKind | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.png')) return { kind: 'image', format: 'png' };
  if (lower.endsWith('.jpg') || lower.endsWith('.jpeg')) return { kind: 'image', format: 'jpeg' };
  if (lower.endsWith('.npy')) return { kind: 'npy' };
  if (/(?:-ubyte|\.idx\d?)(?:\.gz)?$/.test(lower)) return { kind: 'idx' };
  return undefined;
}

/** Reads `path` (named `name` in messages and sample names) as examples for `model`. */
export async function readSamples(path: string, name: string, model: ModelInput, options: ReadOptions = {}): Promise<Sample[]> {
  const kind = inputKind(name);
  if (!kind) {
    throw invalid(name, 'unsupported input; expected a PNG (.png) or JPEG (.jpg, .jpeg) image, a NumPy array (.npy) or an IDX file (*-ubyte, .idx, optionally .gz)');
  }
  const bytes = await readInputFile(path, name);
  const layout = options.layout ?? 'nhwc';
  switch (kind.kind) {
    case 'image': {
      const values = await decodeImage(bytes, name, kind.format, model, { resize: options.resize ?? false });
      return [{ name, values: scaleBytes(values, model.pixels) }];
    }
    case 'npy': {
      const array = parseNpy(bytes, name);
      if (array.shape.length !== 3 && array.shape.length !== 4) {
        throw invalid(name, `array of shape (${array.shape.join(', ')}); expected one example ${describeLayout(layout, false)} or a batch ${describeLayout(layout, true)}`);
      }
      const values = array.dtype === 'uint8' ? scaleBytes(array.data, model.pixels) : array.data;
      return splitExamples(name, values, array.shape, layout, array.shape.length === 4, model);
    }
    case 'idx': {
      const idx = parseIdx(bytes, name);
      if (idx.dims.length !== 3 && idx.dims.length !== 4) {
        throw invalid(name, `IDX images of shape [${idx.dims.join(', ')}]; expected [N, height, width] or, with channels, ${describeLayout(layout, true)}`);
      }
      // [N, H, W] holds one-channel images
      const shape = idx.dims.length === 3 ? (layout === 'nchw' ? [idx.dims[0]!, 1, idx.dims[1]!, idx.dims[2]!] : [...idx.dims, 1]) : idx.dims;
      return splitExamples(name, scaleBytes(idx.data, model.pixels), shape, layout, true, model);
    }
  }
}

/** 8-bit values as the model's floats: value × scale + offset. */
function scaleBytes(bytes: Uint8Array, { scale, offset }: PixelScaling): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) out[i] = bytes[i]! * scale + offset;
  return out;
}

/** Checks an array's example shape against the model and cuts it into NHWC examples. */
function splitExamples(name: string, values: Float32Array, shape: number[], layout: ArrayLayout, batch: boolean, model: ModelInput): Sample[] {
  const dims = batch ? shape.slice(1) : shape;
  const count = batch ? shape[0]! : 1;
  const [height, width, channels] = layout === 'nchw' ? [dims[1]!, dims[2]!, dims[0]!] : [dims[0]!, dims[1]!, dims[2]!];
  const given = `${batch ? 'examples' : 'an example'} of height ${height}, width ${width}, ${channels} channel${channels === 1 ? '' : 's'} (${layout.toUpperCase()}${batch ? ` batch of ${count}` : ''})`;
  const wanted = `height ${model.height}, width ${model.width}, ${model.channels} channel${model.channels === 1 ? '' : 's'}`;
  if (channels !== model.channels) {
    throw invalid(name, `holds ${given}; the model takes ${wanted}: arrays are used as given, so convert the channels first${layout === 'nhwc' && dims[0] === model.channels ? ' (or pass --layout nchw if the array is channels-first)' : ''}`);
  }
  if (height !== model.height || width !== model.width) {
    throw invalid(name, `holds ${given}; the model takes ${wanted}: arrays are not resized (--resize applies to images)`);
  }
  if (count === 0) throw invalid(name, 'holds an empty batch (0 examples)');
  const size = height * width * channels;
  return Array.from({ length: count }, (_, n) => {
    const example = values.subarray(n * size, (n + 1) * size);
    return { name: batch ? `${name}[${n}]` : name, values: layout === 'nchw' ? chwToHwc(example, channels, height, width) : Float32Array.from(example) };
  });
}

function chwToHwc(chw: Float32Array, channels: number, height: number, width: number): Float32Array {
  const out = new Float32Array(chw.length);
  const plane = height * width;
  for (let c = 0; c < channels; c += 1) {
    for (let p = 0; p < plane; p += 1) out[p * channels + c] = chw[c * plane + p]!;
  }
  return out;
}

function describeLayout(layout: ArrayLayout, batch: boolean): string {
  const dims = layout === 'nchw' ? 'C, H, W' : 'H, W, C';
  return batch ? `[N, ${dims}]` : `[${dims}]`;
}

function invalid(name: string, what: string): EnvironmentError {
  return new EnvironmentError('E_DATA_INVALID', `${name}: ${what}`);
}
