/**
 * Reads a file torch.save wrote, in either serialisation, without running anything in it: the
 * zip one (it starts with a zip local header) or the legacy one (it starts with a pickle of the
 * magic number). Tensors come back as views of the file's bytes; nothing is copied.
 */
import { ForeignFormatError } from '../errors.js';
import { LEGACY_MAGIC, readLegacyCheckpoint } from './legacy-checkpoint.js';
import { torchLimits, type TorchLimits } from './limits.js';
import { describe } from './pickle-items.js';
import { unpickle } from './pickle-machine.js';
import type { PyValue } from './values.js';
import { readZipCheckpoint } from './zip-checkpoint.js';

export interface TorchFile {
  format: 'legacy' | 'zip';
  value: PyValue;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const PICKLE_PROTO = 0x80;

export function readTorchFile(bytes: Uint8Array, limits: Partial<TorchLimits> = {}): TorchFile {
  const caps = torchLimits(limits);
  if (bytes.length > caps.maxFileBytes) {
    throw new ForeignFormatError('E_TORCH_FORMAT', `PyTorch checkpoint of ${bytes.length} bytes is larger than the cap of ${caps.maxFileBytes} bytes`);
  }
  if (startsWith(bytes, ZIP_MAGIC)) return { format: 'zip', value: readZipCheckpoint(bytes, caps) };
  if (bytes.length > 0 && bytes.length < ZIP_MAGIC.length && startsWith(ZIP_MAGIC, [...bytes])) {
    throw new ForeignFormatError('E_TRUNCATED', `PyTorch checkpoint ends after ${bytes.length} bytes, inside the zip signature`);
  }
  if (bytes[0] === PICKLE_PROTO) {
    const magic = unpickle(bytes, 0, bytes.length, { stream: 'the legacy checkpoint', limits: caps, globals: false });
    if (magic.value !== LEGACY_MAGIC) {
      throw new ForeignFormatError(
        'E_TORCH_FORMAT',
        `not a PyTorch checkpoint: expected a zip archive or the legacy magic number 0x${LEGACY_MAGIC.toString(16)}, received a pickle of ${describe(magic.value)}`,
      );
    }
    return { format: 'legacy', value: readLegacyCheckpoint(bytes, magic.end, caps) };
  }
  throw new ForeignFormatError('E_TORCH_FORMAT', `not a PyTorch checkpoint: expected a zip archive or the legacy magic number, received ${whatItIs(bytes)}`);
}

function startsWith(bytes: ArrayLike<number>, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** A hint for the message: what the first bytes look like. */
function whatItIs(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file';
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const tar = bytes.length >= 263 && String.fromCharCode(...bytes.subarray(257, 262)) === 'ustar';
  if (tar) return `a tar archive (bytes ${head}…): PyTorch's pre-1.0 tar format is not supported, and an archbundle bundle is read with readBundle`;
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return `a zip record other than a local file header (bytes ${head}…)`;
  if (bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === 'NUMPY') return `a NumPy .npy file (bytes ${head}…)`;
  return `the bytes ${head}${bytes.length > 8 ? '…' : ''}`;
}
