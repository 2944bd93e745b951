/**
 * The safetensors reader under fuzz: readSafetensors, then, on files it accepts whose metadata
 * holds an "arch.json", importSafetensorsBytes (arch.json checked as the bundle reader checks
 * it, a TF.js model built and filled, freed when the weights do not fit). Seeds are written as
 * `archbundle export --to safetensors` writes them, from the reference implementation's
 * checkpoints and from small models made here, plus files without arch.json and one of every
 * dtype. Most edits go to the JSON header (and to the arch.json inside it) with the length
 * prefix repaired, so they reach the header's checks and the import instead of E_TRUNCATED.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { canonicalJson } from '../../src/core/bundle/canonical-json.js';
import { FORMAT_VERSION } from '../../src/core/bundle/format.js';
import { architectures } from '../../src/core/registries.js';
import { readSafetensors } from '../../src/core/safetensors/read.js';
import { writeSafetensors } from '../../src/core/safetensors/write.js';
import { DTYPE_BITS, type SafetensorsDtype } from '../../src/core/safetensors/format.js';
import { readTorchFile } from '../../src/core/torch/read-torch-file.js';
import { seedRandom } from '../../src/index.js';
import { importSafetensorsBytes } from '../../src/node/import/import-file.js';
import { ARCH_METADATA_KEY as SAFETENSORS_ARCH_KEY } from '../../src/core/torch/safetensors-state-dict.js';
import { torchStateDict } from '../../src/tfjs/export/to-torch-state.js';
import { modelFromTorch } from '../../src/tfjs/import/from-torch.js';
import { instantiate, type Classifier } from '../../src/train.js';
import { joinSafetensors, splitSafetensors } from '../containers.js';
import { mutateJson } from '../json-mutators.js';
import { havoc, MUTATIONS } from '../mutators.js';
import type { Rng } from '../rng.js';
import type { Seed, Target } from '../target.js';

const REFERENCE = ['resnet-basic-none-nobias', 'resnet-basic-gn-whiten', 'resnet-bottleneck-none-nobias', 'simplenet-16-none-nobias'];

/** The file export writes: PyTorch's names and layouts, the bundle's arch.json in the metadata (or none). */
function exported(model: Classifier, withArch: boolean): Uint8Array {
  const tensors = torchStateDict(model).map((t) => ({ name: t.key, dtype: t.dtype === 'int64' ? ('I64' as const) : ('F32' as const), shape: t.shape, bytes: t.bytes }));
  const arch = { formatVersion: FORMAT_VERSION, class: model.className, schemaId: String(architectures.get(model.className).schema.$id), schemaVersion: model.schemaVersion, args: model.args };
  return Buffer.concat(writeSafetensors(tensors, withArch ? { format: 'pt', [SAFETENSORS_ARCH_KEY]: canonicalJson(arch) } : { format: 'pt' }));
}

/** Every dtype, scalars and empty tensors included, as other writers make them. */
function everyDtype(): Uint8Array {
  const tensors = (Object.keys(DTYPE_BITS) as SafetensorsDtype[]).flatMap((dtype, i) => {
    const bits = DTYPE_BITS[dtype];
    const shape = bits % 8 === 0 ? [2, 3] : [8];
    const bytes = Uint8Array.from({ length: (shape.reduce((a, b) => a * b, 1) * bits) / 8 }, (_, k) => (k * 37 + i) & 0xff);
    return [{ name: `t.${dtype}`, dtype, shape, bytes }, { name: `s.${dtype}`, dtype, shape: bits % 8 === 0 ? [] : [8], bytes: bits % 8 === 0 ? bytes.slice(0, bits / 8) : bytes }, { name: `e.${dtype}`, dtype, shape: [0, 4], bytes: new Uint8Array(0) }];
  });
  return Buffer.concat(writeSafetensors(tensors, { note: 'every dtype', empty: '' }));
}

function safetensorsSeed(name: string, bytes: Uint8Array): Seed {
  const { header } = splitSafetensors(bytes);
  return { name, bytes, hot: [{ start: 0, end: 8 + Buffer.byteLength(header) }] };
}

/** The arch.json string inside the header's metadata, edited as JSON of its own. */
function editArch(header: string, rng: Rng): string {
  let parsed: { __metadata__?: Record<string, unknown> };
  try {
    parsed = JSON.parse(header);
  } catch {
    return mutateJson(header, rng);
  }
  const meta = parsed.__metadata__;
  if (!meta || typeof meta[SAFETENSORS_ARCH_KEY] !== 'string') return mutateJson(header, rng);
  let arch = meta[SAFETENSORS_ARCH_KEY] as string;
  for (let n = 1 + rng.small(2); n > 0; n--) arch = mutateJson(arch, rng);
  meta[SAFETENSORS_ARCH_KEY] = arch;
  return JSON.stringify(parsed);
}

function headerAware(seed: Seed, rng: Rng): Uint8Array {
  let { header, data } = splitSafetensors(seed.bytes);
  const k = rng.int(100);
  if (k < 55) for (let n = 1 + rng.small(2); n > 0; n--) header = mutateJson(header, rng);
  else if (k < 85) header = editArch(header, rng);
  else data = havoc(data, rng, { hot: [], donors: [], maxBytes: data.length + 64 });
  const bytes = joinSafetensors(header, data, rng.chance(0.7));
  if (rng.chance(0.1)) {
    // A length prefix that lies by a little or a lot.
    const length = Number(Buffer.from(bytes.buffer, bytes.byteOffset, 8).readBigUInt64LE());
    const lie = BigInt.asUintN(64, BigInt(rng.pick([length - 1, length + 1, 0, 1, bytes.length - 8, bytes.length, 2 ** 53, -1])));
    Buffer.from(bytes.buffer, bytes.byteOffset, 8).writeBigUInt64LE(lie);
  }
  return bytes;
}

const tensors = () => tf.memory().numTensors;

export async function createTarget(): Promise<Target> {
  const seeds: Seed[] = [];
  for (const name of REFERENCE) {
    const file = readTorchFile(new Uint8Array(readFileSync(new URL(`../../test/fixtures/reference-checkpoints/${name}.pth`, import.meta.url))));
    const { model, optimizer } = modelFromTorch(file.value);
    try {
      seeds.push(safetensorsSeed(`${name}.safetensors`, exported(model, true)));
      if (name === REFERENCE[0]) seeds.push(safetensorsSeed(`${name}.plain.safetensors`, exported(model, false)));
    } finally {
      model.dispose();
      optimizer?.dispose();
    }
  }
  seedRandom(11);
  for (const [cls, args] of [['MLP', { classes: 3, resolution: [1, 4, 4], hidden: [4] }], ['LeNet', { classes: 2, resolution: [1, 12, 12], filters: [2, 3], units: [4] }]] as const) {
    const model = instantiate(cls, args);
    try {
      seeds.push(safetensorsSeed(`${cls}.safetensors`, exported(model, true)));
    } finally {
      model.dispose();
    }
  }
  seeds.push(safetensorsSeed('every-dtype.safetensors', everyDtype()));
  const donors = seeds.map((s) => s.bytes);
  const maxBytes = 4 * Math.max(...donors.map((d) => d.length));
  return {
    name: 'safetensors',
    seeds,
    maxBytes,
    generate(rng) {
      const seed = rng.pick(seeds);
      const ctx = { hot: seed.hot, donors, maxBytes };
      const r = rng.int(100);
      if (r < 30) return havoc(seed.bytes, rng, ctx);
      if (r < 88) {
        const bytes = headerAware(seed, rng);
        return rng.chance(0.1) ? havoc(bytes, rng, { ...ctx, hot: [] }) : bytes;
      }
      if (r < 94) return havoc(MUTATIONS.splice!(seed.bytes, rng, ctx), rng, ctx);
      return MUTATIONS.truncate!(headerAware(seed, rng), rng, { ...ctx, hot: [] });
    },
    async run(bytes, probe) {
      const contents = await probe.stage('readSafetensors', () => readSafetensors(bytes));
      if (contents?.metadata?.[SAFETENSORS_ARCH_KEY] === undefined) return;
      await probe.stage('importSafetensorsBytes', () => importSafetensorsBytes(bytes), { tensors, dispose: (imported) => imported.state.model.dispose() });
    },
  };
}
