/**
 * The TF.js-free bundle reader. It streams the tar once and checks, in this order and before
 * trusting anything: tar structure, entry types and paths, names, order and duplicates, size
 * caps, strict JSON, format version, JSON schemas, architecture class and arguments (with
 * migrations), the input contract against those arguments, tensor tables, zero padding, and
 * finally every size and sha256 in the manifest. Tensor bytes go to an optional receiver (the
 * TF.js layer) one tensor at a time. Layers the migrations renamed are renamed in the tensor
 * tables as they are read, so everything after (receiver, contents, validate, inspect) sees only
 * the current names.
 */
import { checkArgsComplete, migrateArchitectureArgs } from '../architecture-migrations.js';
import { schemaVersion } from '../architecture.js';
import { renameTensors, type LayerRenames } from '../layer-renames.js';
import { architectures } from '../registries.js';
import { BundleError } from '../errors.js';
import { byteReader, type BundleSource, type ByteReader } from './byte-source.js';
import {
  checkEntrySchema,
  type ArchEntry,
  type InputContract,
  type Manifest,
  type ManifestEntry,
  type OptimizerEntry,
  type SchedulerEntry,
  type TensorTableEntry,
  type TrainingEntry,
} from './entries.js';
import {
  DEFAULT_LIMITS,
  ENTRY_ORDER,
  ENTRY_SINCE,
  FORMAT_ID,
  FORMAT_VERSION,
  isEntryName,
  REQUIRED_ENTRIES,
  type EntryName,
  type ReadLimits,
} from './format.js';
import { sha256, type Hasher } from './hash.js';
import { checkInputContract, type ContractSubject } from './input-contract.js';
import { ReadPipeline } from './read-pipeline.js';
import { parseStrictJson } from './strict-json.js';
import { TarReader } from './tar-reader.js';
import { checkBinSize, checkTensorTable, type TensorRecord } from './tensor-table.js';

export type TensorGroup = 'weights' | 'optimizer';

/** The arch entry after migration: `args` are complete and valid for the current schema. */
export interface CheckedArch extends ArchEntry {
  /** The schema version the bundle was saved under (arch.schemaVersion is the current one). */
  savedSchemaVersion: number;
  migrations: string[];
  /** Layers the migrations renamed (stored name → current); the tables read already use the new names. */
  renamedLayers: LayerRenames;
}

/** Where one tensor's bytes go. */
export interface TensorSink {
  /**
   * Memory for exactly the tensor's bytes (e.g. its own storage). The reader fills it in pieces
   * as they arrive, possibly several at once, and hashes each; keep it valid until `end`.
   */
  target: Uint8Array;
  /** After the last byte arrived; no read is in flight while it runs. */
  end?(): void | Promise<void>;
}

/** Receives tensors as they stream; its hooks may throw to stop the read. */
export interface TensorReceiver {
  /** After arch.json passed every check (e.g. to build the model). */
  arch?(arch: CheckedArch): void | Promise<void>;
  /** After a tensor table passed its checks, before any of its bytes. */
  table?(group: TensorGroup, records: readonly TensorRecord[]): void | Promise<void>;
  /** Where one tensor's bytes go, or undefined to let them pass (hashed, not kept). */
  tensor?(group: TensorGroup, record: TensorRecord): TensorSink | undefined;
}

export interface BundleContents {
  arch: CheckedArch;
  /** The input contract; absent from every version-1 bundle, and optional in version 2. */
  input?: InputContract;
  weights: TensorRecord[];
  optimizer?: OptimizerEntry;
  scheduler?: SchedulerEntry;
  training: TrainingEntry;
  manifest: Manifest;
}

export interface ReadOptions {
  limits?: Partial<ReadLimits>;
  receiver?: TensorReceiver;
}

/**
 * The entry each of these needs before it: a .bin its table, a scheduler its optimizer, and a
 * tensor table the arch.json whose model (and layer renames) its tensors are for, so that a
 * receiver's `table` hook always comes after its `arch` hook.
 */
const NEEDS: Partial<Record<EntryName, EntryName>> = {
  'weights.json': 'arch.json',
  'optimizer.json': 'arch.json',
  'input.json': 'arch.json',
  'weights.bin': 'weights.json',
  'optimizer.bin': 'optimizer.json',
  'scheduler.json': 'optimizer.json',
};

export async function readBundle(source: BundleSource, options: ReadOptions = {}): Promise<BundleContents> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const bytes = byteReader(source);
  const state = new ReadState(limits, options.receiver ?? {});
  try {
    const tar = new TarReader(bytes);
    for (let header = await tar.next(); header; header = await tar.next()) {
      const name = state.admit(header.name, header.size);
      const hash = sha256();
      if (name.endsWith('.json')) {
        const data = await bytes.read(header.size, `entry ${name}`);
        hash.update(data);
        await state.json(name, parseStrictJson(data, `bundle entry ${name}`, limits.maxJsonDepth));
      } else {
        await state.bin(name, header.size, bytes, hash);
      }
      if (name !== 'manifest.json') state.digests.push({ name, size: header.size, sha256: await hash.digest() });
    }
    return state.finish();
  } finally {
    await bytes.close();
  }
}

class ReadState {
  readonly digests: ManifestEntry[] = [];
  private readonly seen: EntryName[] = [];
  private arch?: CheckedArch;
  private input?: InputContract;
  private tables: Partial<Record<TensorGroup, { records: TensorRecord[]; size: number }>> = {};
  private optimizer?: OptimizerEntry;
  private scheduler?: SchedulerEntry;
  private training?: TrainingEntry;
  private manifest?: Manifest;

  constructor(private readonly limits: ReadLimits, private readonly receiver: TensorReceiver) {}

  /** Checks an entry header against the format: known name, once, in order, within its cap. */
  admit(name: string, size: number): EntryName {
    if (!isEntryName(name)) {
      throw new BundleError('E_ENTRY_UNKNOWN', `bundle entry "${name}" is not part of the format; expected only ${ENTRY_ORDER.join(', ')}`);
    }
    if (this.seen.includes(name)) throw new BundleError('E_ENTRY_DUPLICATE', `bundle entry "${name}" appears twice`);
    const last = this.seen[this.seen.length - 1];
    if (last && ENTRY_ORDER.indexOf(last) > ENTRY_ORDER.indexOf(name)) {
      throw new BundleError('E_ENTRY_ORDER', `bundle entry "${name}" comes after "${last}"; expected the order ${ENTRY_ORDER.join(', ')}`);
    }
    const needs = NEEDS[name];
    if (needs && !this.seen.includes(needs)) {
      throw new BundleError('E_ENTRY_MISSING', `bundle entry "${name}" needs "${needs}" before it, which is missing`);
    }
    // arch.json, always first, has told the version by now
    const since = ENTRY_SINCE[name];
    if (since !== undefined && this.arch && this.arch.formatVersion < since) {
      throw new BundleError(
        'E_ENTRY_UNKNOWN',
        `bundle entry "${name}" is not part of format version ${this.arch.formatVersion} (it came with version ${since}), which this bundle declares`,
      );
    }
    const cap = name.endsWith('.json') ? this.limits.maxJsonBytes : this.limits.maxBinBytes;
    if (size > cap) throw new BundleError('E_ENTRY_TOO_LARGE', `bundle entry "${name}" has ${size} bytes, more than the cap of ${cap}`);
    this.seen.push(name);
    return name;
  }

  async json(name: EntryName, value: unknown): Promise<void> {
    switch (name) {
      case 'arch.json':
        checkFormatVersion(name, value);
        this.arch = checkArch(checkEntrySchema<ArchEntry>(name, value));
        await this.receiver.arch?.(this.arch);
        return;
      case 'input.json':
        this.input = checkEntrySchema<InputContract>(name, value);
        checkInputContract(this.input, this.arch!.args as unknown as ContractSubject);
        return;
      case 'weights.json':
      case 'optimizer.json': {
        const group: TensorGroup = name === 'weights.json' ? 'weights' : 'optimizer';
        const checked = checkTensorTable(value, name, this.limits);
        const stored = checkEntrySchema<TensorTableEntry>(name, value);
        const renames = this.arch!.renamedLayers; // admit() let no table in before arch.json
        const table = { ...checked, records: renameTensors(checked.records, renames, name) };
        const entry = { ...stored, tensors: renameTensors(stored.tensors, renames, name) };
        if (group === 'optimizer') this.optimizer = entry as OptimizerEntry;
        this.tables[group] = table;
        await this.receiver.table?.(group, table.records);
        return;
      }
      case 'scheduler.json':
        this.scheduler = checkEntrySchema<SchedulerEntry>(name, value);
        return;
      case 'training.json':
        this.training = checkEntrySchema<TrainingEntry>(name, value);
        return;
      case 'manifest.json':
        checkFormatVersion(name, value);
        this.manifest = checkEntrySchema<Manifest>(name, value);
        return;
      default:
        throw new BundleError('E_ENTRY_UNKNOWN', `bundle entry "${name}" is not a JSON entry`);
    }
  }

  /** Reads a .bin entry: each tensor into the receiver's target, padding checked to be zero, every byte hashed. */
  async bin(name: EntryName, size: number, bytes: ByteReader, hash: Hasher): Promise<void> {
    const group: TensorGroup = name === 'weights.bin' ? 'weights' : 'optimizer';
    const table = this.tables[group]!;
    checkBinSize(name, size, table.size);
    const pipeline = new ReadPipeline(bytes, hash, `entry ${name}`);
    const zeroPadding = (pad: Uint8Array, offset: number) => {
      const i = pad.findIndex((b) => b !== 0);
      if (i !== -1) throw new BundleError('E_TENSOR_TABLE', `${name} has a non-zero padding byte at offset ${offset + i}`);
    };
    try {
      let position = 0;
      for (const record of table.records) {
        if (record.byteOffset > position) await pipeline.skip(record.byteOffset - position, zeroPadding);
        const sink = this.receiver.tensor?.(group, record);
        if (sink && sink.target.length !== record.byteLength) {
          throw new RangeError(`the target for tensor "${record.name}" holds ${sink.target.length} bytes; it needs ${record.byteLength}`);
        }
        if (sink) await pipeline.fill(sink.target);
        else await pipeline.skip(record.byteLength);
        if (sink?.end) {
          await pipeline.drain();
          await sink.end();
        }
        position = record.byteOffset + record.byteLength;
      }
      await pipeline.drain();
    } finally {
      await pipeline.close();
    }
  }

  finish(): BundleContents {
    const missing = REQUIRED_ENTRIES.filter((n) => !this.seen.includes(n));
    if (this.seen.includes('optimizer.json') && !this.seen.includes('optimizer.bin')) missing.push('optimizer.bin');
    if (missing.length > 0) throw new BundleError('E_ENTRY_MISSING', `bundle lacks the entries ${missing.join(', ')}`);
    const manifest = this.manifest!;
    if (manifest.formatVersion !== this.arch!.formatVersion) {
      throw new BundleError('E_FORMAT_VERSION', `manifest.json says format version ${manifest.formatVersion} but arch.json says ${this.arch!.formatVersion}`);
    }
    checkManifest(manifest.entries, this.digests);
    return {
      arch: this.arch!,
      ...(this.input ? { input: this.input } : {}),
      weights: this.tables.weights!.records,
      optimizer: this.optimizer,
      scheduler: this.scheduler,
      training: this.training!,
      manifest,
    };
  }
}

/** Checked before the schema, so a newer format fails as such rather than as a schema mismatch. */
function checkFormatVersion(name: EntryName, value: unknown): void {
  const record = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  if (name === 'manifest.json' && record.format !== FORMAT_ID) {
    throw new BundleError('E_FORMAT_VERSION', `manifest.json format must be "${FORMAT_ID}", received ${JSON.stringify(record.format)}`);
  }
  const version = record.formatVersion;
  if (typeof version === 'number' && Number.isInteger(version) && version > FORMAT_VERSION) {
    throw new BundleError('E_FORMAT_VERSION', `${name} has format version ${version}, newer than this archbundle reads (${FORMAT_VERSION}); upgrade archbundle`);
  }
}

function checkArch(entry: ArchEntry): CheckedArch {
  const definition = architectures.get(entry.class);
  const schemaId = definition.schema.$id;
  if (entry.schemaId !== schemaId) {
    throw new BundleError('E_SCHEMA_VERSION', `arch.json schema id is "${entry.schemaId}", but ${entry.class} uses "${String(schemaId)}"`);
  }
  const { args, applied, layers } = migrateArchitectureArgs(definition, entry.args, entry.schemaVersion);
  checkArgsComplete(definition, args);
  const complete = architectures.validate(entry.class, args);
  const current = schemaVersion(definition.schema);
  return { ...entry, args: complete, schemaVersion: current, savedSchemaVersion: entry.schemaVersion, migrations: applied, renamedLayers: layers };
}

function checkManifest(listed: ManifestEntry[], actual: ManifestEntry[]): void {
  const names = (list: ManifestEntry[]) => list.map((e) => e.name).join(', ');
  if (names(listed) !== names(actual)) {
    throw new BundleError('E_CHECKSUM', `manifest.json lists the entries [${names(listed)}] but the bundle holds [${names(actual)}]`);
  }
  const bad = actual.filter((e, i) => e.size !== listed[i]!.size || e.sha256 !== listed[i]!.sha256);
  if (bad.length > 0) {
    const detail = bad.map((e) => {
      const l = listed.find((x) => x.name === e.name)!;
      return `${e.name}: expected ${l.size} bytes sha256 ${l.sha256}, received ${e.size} bytes sha256 ${e.sha256}`;
    });
    throw new BundleError('E_CHECKSUM', `bundle entries do not match manifest.json: ${detail.join('; ')}`);
  }
}

/** An arch.json document met outside a bundle (e.g. in a safetensors header), checked as the reader checks the entry. */
export function checkArchJson(value: unknown): CheckedArch {
  checkFormatVersion('arch.json', value);
  return checkArch(checkEntrySchema<ArchEntry>('arch.json', value));
}
