/**
 * torch.save's zip serialisation (the default since PyTorch 1.6; torch/serialization.py `_save`,
 * read back by `_load`): every record sits in one folder, `<archive>/`, holding
 *   data.pkl           the pickle, whose persistent ids ('storage', type, key, location, numel) name
 *   data/<key>         each storage's raw little-endian bytes, numel × element size of them
 *   version            the file format version ("3\n"), or .data/version in newer writers
 *   byteorder          "little" or "big", written by newer versions; absent means little
 * plus records a reader may ignore (.data/serialization_id, .format_version, .storage_alignment).
 * A TorchScript archive (torch.jit.save) has the same shape with code/ and constants.pkl: refused.
 */
import { ForeignFormatError } from '../errors.js';
import type { TorchLimits } from './limits.js';
import { unpickle } from './pickle-machine.js';
import { parseStorageId } from './persistent-id.js';
import type { Item } from './pickle-items.js';
import { LoadedStorage } from './storage.js';
import type { PyValue } from './values.js';
import { readZipDirectory, zipRecordBytes, type ZipRecord } from './zip-reader.js';

/** The file format versions torch's zip reader accepts (caffe2/serialize: kMinSupportedFileFormatVersion … kMaxSupportedFileFormatVersion). */
const VERSIONS = { min: 1, max: 10 };

function bad(what: string): never {
  throw new ForeignFormatError('E_TORCH_FORMAT', `PyTorch zip checkpoint ${what}`);
}

export function readZipCheckpoint(bytes: Uint8Array, limits: TorchLimits): PyValue {
  const records = readZipDirectory(bytes, limits);
  const folder = archiveFolder(records);
  const byName = new Map(records.map((r) => [r.name.slice(folder.length + 1), r]));
  if (byName.has('constants.pkl') || [...byName.keys()].some((name) => name.startsWith('code/'))) {
    bad(`${folder}/ is a TorchScript archive (torch.jit.save: code/, constants.pkl); expected a torch.save checkpoint, which holds data only`);
  }
  const read = (name: string) => zipRecordBytes(bytes, byName.get(name)!);
  checkVersion(folder, byName.has('.data/version') ? '.data/version' : 'version', byName, read);
  checkByteOrder(folder, byName, read);

  const pickleName = `${folder}/data.pkl`;
  if (!byName.has('data.pkl')) bad(`has no record ${pickleName}`);
  const pickle = read('data.pkl');
  const storages = new Map<string, LoadedStorage>();
  const persistentLoad = (pid: Item, at: number): LoadedStorage => {
    const ref = parseStorageId(pid, 'zip', pickleName, at);
    const known = storages.get(ref.key);
    if (known) {
      if (known.dtype !== ref.dtype || known.size !== ref.size) {
        bad(`references storage ${ref.key} as ${ref.size} elements of ${ref.dtype} at byte ${at} of ${pickleName}, but earlier as ${known.size} of ${known.dtype}`);
      }
      return known;
    }
    if (storages.size >= limits.maxStorages) bad(`references more than ${limits.maxStorages} storages`);
    const record = byName.get(`data/${ref.key}`);
    if (!record) bad(`has no record ${folder}/data/${ref.key} for the storage ${pickleName} references at byte ${at}`);
    const storage = new LoadedStorage(ref.key, ref.dtype, ref.size);
    if (record.size !== storage.byteLength) {
      bad(`record ${record.name} holds ${record.size} bytes; ${pickleName} declares ${ref.size} elements of ${ref.dtype} (${storage.byteLength} bytes) at byte ${at}`);
    }
    storage.fill(zipRecordBytes(bytes, record));
    storages.set(ref.key, storage);
    return storage;
  };
  const { value, end } = unpickle(pickle, 0, pickle.length, { stream: pickleName, limits, globals: true, persistentLoad });
  if (end !== pickle.length) bad(`record ${pickleName} has ${pickle.length - end} bytes after the pickle's STOP`);
  for (const name of byName.keys()) {
    if (name.startsWith('data/') && !storages.has(name.slice('data/'.length))) bad(`record ${folder}/${name} is not referenced by ${pickleName}`);
  }
  return value;
}

/** torch's reader takes the folder from the first record's name; every other record must be in it too. */
function archiveFolder(records: readonly ZipRecord[]): string {
  const first = records[0];
  if (!first) bad('has no records');
  const slash = first.name.indexOf('/');
  if (slash <= 0) bad(`record "${first.name}" is not in a folder; torch.save puts every record in <archive>/`);
  const folder = first.name.slice(0, slash);
  for (const record of records) {
    if (!record.name.startsWith(`${folder}/`)) bad(`record "${record.name}" is outside the archive folder ${folder}/`);
  }
  return folder;
}

function checkVersion(folder: string, name: string, byName: Map<string, ZipRecord>, read: (name: string) => Uint8Array): void {
  if (!byName.has(name)) bad(`has no record ${folder}/version`);
  const text = ascii(read(name));
  const match = /^([0-9]{1,4})\n?$/.exec(text);
  const version = match ? Number(match[1]) : NaN;
  if (!(version >= VERSIONS.min && version <= VERSIONS.max)) {
    bad(`record ${folder}/${name} holds ${JSON.stringify(text.slice(0, 40))}; expected a file format version from ${VERSIONS.min} to ${VERSIONS.max}`);
  }
}

function checkByteOrder(folder: string, byName: Map<string, ZipRecord>, read: (name: string) => Uint8Array): void {
  if (!byName.has('byteorder')) return;
  const order = ascii(read('byteorder'));
  if (order === 'big') bad(`was written on a big-endian machine (${folder}/byteorder is "big"); only little-endian checkpoints are supported`);
  if (order !== 'little') bad(`record ${folder}/byteorder holds ${JSON.stringify(order.slice(0, 40))}; expected "little"`);
}

function ascii(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < Math.min(bytes.length, 64); i++) s += String.fromCharCode(bytes[i]!);
  return bytes.length > 64 ? `${s}…` : s;
}
