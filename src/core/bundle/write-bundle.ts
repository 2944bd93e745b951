/**
 * The TF.js-free bundle writer: a deterministic tar (tar-stream, fixed header fields, fixed
 * entry order, canonical JSON) produced as a stream of chunks. Tensors are fetched one at a time
 * (as views of the backend's storage where possible) and hashed while they are being written.
 */
import { pack as createPack, type Pack } from 'tar-stream';
import packageJson from '../../../package.json' with { type: 'json' };
import { ArchbundleError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { checkEntrySchema, type ArchEntry, type InputContract, type Manifest, type ManifestEntry, type SchedulerEntry, type TrainingEntry } from './entries.js';
import { FORMAT_ID, FORMAT_VERSION, TAR_HEADER_FIXED, type EntryName, type StoredDtype } from './format.js';
import { sha256 } from './hash.js';
import { checkInputContract, type ContractSubject } from './input-contract.js';
import { layoutTensors } from './tensor-table.js';

/** A tensor to store: its bytes are fetched only when the writer reaches it. */
export interface TensorSource {
  name: string;
  dtype: StoredDtype;
  shape: number[];
  /** Little-endian bytes, exactly shape product × dtype size long. */
  bytes(): Uint8Array | Promise<Uint8Array>;
}

export interface BundleParts {
  arch: Omit<ArchEntry, 'formatVersion'>;
  /** The input contract, written as input.json; it must fit `arch.args` (E_INPUT_MISMATCH otherwise). */
  input?: InputContract;
  weights: TensorSource[];
  optimizer?: { class: string; args: Record<string, unknown>; learningRate: number; step: number; tensors: TensorSource[] };
  scheduler?: SchedulerEntry;
  training: TrainingEntry;
  tfjsVersion: string;
}

export const ARCHBUNDLE_VERSION: string = packageJson.version;
const ZERO_PAD = new Uint8Array(64);
/** A macrotask turn: setImmediate where there is one (Node), else a zero timeout. */
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
/** Bytes hashed between two yields to the event loop. */
const HASH_PIECE = 4 << 20;
/** Sizes of the entries started in each archive, to check the archive's total length. */
const entrySizes = new WeakMap<Pack, number[]>();

/** The bundle's bytes, as a stream of chunks; production starts with the first pull. */
export async function* bundleChunks(parts: BundleParts): AsyncGenerator<Uint8Array> {
  const tar = createPack();
  const sizes: number[] = [];
  entrySizes.set(tar, sizes);
  let failure: unknown;
  tar.on('error', (error: unknown) => void (failure ??= error));
  produce(tar, parts).then(
    () => tar.finalize(),
    (error: unknown) => {
      failure ??= error;
      tar.destroy(error as Error);
    },
  );
  let yielded = 0;
  try {
    for await (const chunk of tar as unknown as AsyncIterable<Uint8Array>) {
      yielded += chunk.byteLength;
      yield chunk;
    }
  } catch (error) {
    throw failure ?? error;
  } finally {
    if (!tar.destroyed) tar.destroy();
  }
  if (failure) throw failure;
  // a tensor view detached by wasm memory growth mid-save would shorten the archive: refuse it
  if (yielded !== tarSize(sizes)) {
    throw new ArchbundleError('E_IO', `bundle writer produced ${yielded} bytes, expected ${tarSize(sizes)}; was a TF.js op run during the save?`);
  }
}

function tarSize(entrySizes: number[]): number {
  return entrySizes.reduce((total, size) => total + 512 + Math.ceil(size / 512) * 512, 0) + 1024;
}

async function produce(tar: Pack, parts: BundleParts): Promise<void> {
  const digests: ManifestEntry[] = [];
  const json = async (name: EntryName, value: unknown) => {
    checkEntrySchema(name, value);
    const data = new TextEncoder().encode(canonicalJson(value));
    digests.push(await writeEntry(tar, name, data.length, async (write) => write(data)));
  };
  // Checked before the first byte, so that a contract that does not fit never starts a bundle.
  if (parts.input) checkInputContract(checkEntrySchema('input.json', parts.input), parts.arch.args as unknown as ContractSubject);
  await json('arch.json', { formatVersion: FORMAT_VERSION, ...parts.arch });
  if (parts.input) await json('input.json', parts.input);
  await tensorEntries(tar, 'weights', {}, parts.weights, digests);
  if (parts.optimizer) {
    const { tensors, ...rest } = parts.optimizer;
    await tensorEntries(tar, 'optimizer', rest, tensors, digests);
  }
  if (parts.scheduler) {
    if (!parts.optimizer) throw new ArchbundleError('E_INVALID_ARGS', 'a scheduler can only be saved with its optimizer');
    await json('scheduler.json', parts.scheduler);
  }
  await json('training.json', parts.training);
  const manifest: Manifest = {
    format: FORMAT_ID,
    formatVersion: FORMAT_VERSION,
    archbundleVersion: ARCHBUNDLE_VERSION,
    tfjsVersion: parts.tfjsVersion,
    entries: digests,
  };
  const data = new TextEncoder().encode(canonicalJson(manifest));
  await writeEntry(tar, 'manifest.json', data.length, async (write) => write(data));
}

async function tensorEntries(
  tar: Pack,
  group: 'weights' | 'optimizer',
  header: Record<string, unknown>,
  tensors: TensorSource[],
  digests: ManifestEntry[],
): Promise<void> {
  const { records, size } = layoutTensors(tensors);
  const table = new TextEncoder().encode(canonicalJson({ ...header, tensors: records }));
  digests.push(await writeEntry(tar, `${group}.json`, table.length, async (write) => write(table)));
  digests.push(await writeEntry(tar, `${group}.bin`, size, async (write) => {
    let end = 0;
    for (const [i, tensor] of tensors.entries()) {
      const record = records[i]!;
      const bytes = await tensor.bytes();
      if (bytes.byteLength !== record.byteLength) {
        throw new ArchbundleError('E_INVALID_ARGS', `tensor "${tensor.name}" gave ${bytes.byteLength} bytes, expected ${record.byteLength}`);
      }
      if (record.byteOffset > end) await write(ZERO_PAD.subarray(0, record.byteOffset - end));
      await write(bytes);
      end = record.byteOffset + record.byteLength;
    }
  }));
}

/**
 * Writes one entry whose body `fill` produces through `write`: `write` waits for the previous
 * chunk to drain, hands the bytes to tar-stream, and hashes them while the consumer writes them.
 * The bytes must stay unchanged until the save completes.
 */
async function writeEntry(
  tar: Pack,
  name: EntryName,
  size: number,
  fill: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>,
): Promise<ManifestEntry> {
  const hash = sha256();
  entrySizes.get(tar)?.push(size);
  let settle!: (error?: Error | null) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  const entry = tar.entry({ ...TAR_HEADER_FIXED, name, size, type: 'file' }, (error) => settle(error));
  let draining: Promise<unknown> | undefined;
  let written = 0;
  await fill(async (bytes) => {
    written += bytes.byteLength;
    if (draining) await draining;
    draining = entry.write(bytes) ? undefined : new Promise<void>((resolve) => entry.once('drain', () => resolve()));
    // hash piece by piece, yielding between pieces: the consumer needs a few turns of the event
    // loop to receive these bytes and start writing them (in libuv's threads) meanwhile
    for (let at = 0; at < bytes.byteLength; at += HASH_PIECE) {
      if (at > 0) await yieldToEventLoop();
      hash.update(bytes.subarray(at, at + HASH_PIECE));
    }
  });
  if (written !== size) throw new ArchbundleError('E_INVALID_ARGS', `bundle entry ${name} got ${written} bytes, expected ${size}`);
  if (draining) await draining;
  entry.end(() => undefined);
  await done;
  return { name, size, sha256: await hash.digest() };
}
