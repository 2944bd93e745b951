/**
 * The PyTorch checkpoint reader under fuzz: readTorchFile (the restricted unpickler, the zip
 * and legacy containers), then, on what it accepts, the import mapping modelFromTorch, which
 * builds a TF.js model and must free it when the weights do not fit. Seeds are real files:
 * the reference implementation's checkpoints and the files scripts/torch_files.py wrote with
 * torch (every dtype, views, optimizers, schedulers, pickled modules, protocols 2 to 5).
 * Zip inputs are mostly rebuilt around a mutated data.pkl with true CRC-32s and sizes, so the
 * edits reach the unpickler instead of failing the archive's checks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { readTorchFile } from '../../src/core/torch/read-torch-file.js';
import { modelFromTorch } from '../../src/tfjs/import/from-torch.js';
import '../../src/index.js'; // attaches the built-in architectures and optimizers modelFromTorch builds
import { joinZip, splitZip, type Part } from '../containers.js';
import { havoc, MUTATIONS, type Span } from '../mutators.js';
import { mutatePickle, pickleSpans } from '../pickle-mutators.js';
import type { Rng } from '../rng.js';
import type { Seed, Target } from '../target.js';

const FOLDERS = ['../../test/fixtures/torch-files/', '../../test/fixtures/reference-checkpoints/'];
const DATA_PKL = /^[^/]+\/data\.pkl$/;
const EXTRA_RECORDS = ['archive/byteorder', 'archive/constants.pkl', 'archive/.data/version', 'archive/data/99', 'archive/../x', 'other/data.pkl'];

interface TorchSeed extends Seed {
  /** Zip seeds: the records; legacy seeds: the five pickles. */
  parts?: Part[];
  pickles: Span[];
}

function torchSeed(name: string, bytes: Uint8Array): TorchSeed {
  if (bytes[0] === 0x50) {
    const parts = splitZip(bytes);
    // Everything but the storages' bytes: headers, the directory, data.pkl, version.
    const hot: Span[] = [];
    let at = 0;
    for (const part of parts) {
      const start = indexOf(bytes, part.data, at);
      if (/\/data\/[^/]+$/.test(part.name) && start >= 0) {
        hot.push({ start: at, end: start });
        at = start + part.data.length;
      }
    }
    hot.push({ start: at, end: bytes.length });
    return { name, bytes, hot, parts, pickles: [] };
  }
  const pickles = pickleSpans(bytes, 0, 5);
  const last = pickles[pickles.length - 1]!;
  return { name, bytes, hot: [...pickles, { start: last.end, end: last.end + 8 }], pickles };
}

/** Where `needle` starts in `bytes` at or after `from` (storages are stored, so their bytes appear as they are). */
function indexOf(bytes: Uint8Array, needle: Uint8Array, from: number): number {
  if (needle.length === 0) return -1;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength), from);
}

function mutatePickleTimes(bytes: Uint8Array, span: Span, rng: Rng, donors: readonly Uint8Array[]): Uint8Array {
  let out = bytes;
  let end = span.end;
  for (let n = 1 + rng.small(3); n > 0; n--) {
    const before = out.length;
    out = mutatePickle(out, { start: span.start, end }, rng, donors);
    end += out.length - before;
  }
  return out;
}

/** data.pkl edited opcode by opcode, sometimes another record too, and the archive written again. */
function zipInput(seed: TorchSeed, rng: Rng, donors: readonly Uint8Array[]): Uint8Array {
  const parts = seed.parts!.map((p) => ({ ...p }));
  const pkl = parts.find((p) => DATA_PKL.test(p.name));
  if (pkl && rng.chance(0.85)) pkl.data = mutatePickleTimes(pkl.data, { start: 0, end: pkl.data.length }, rng, donors);
  if (rng.chance(0.25)) {
    const k = rng.int(5);
    const part = rng.pick(parts);
    if (k === 0) part.data = havoc(part.data, rng, { hot: [], donors: [], maxBytes: part.data.length + 64 });
    else if (k === 1) parts.splice(rng.int(parts.length), 1);
    else if (k === 2) parts.splice(rng.int(parts.length + 1), 0, { ...part });
    else if (k === 3) part.name = rng.pick([...EXTRA_RECORDS, ...parts.map((p) => p.name)]);
    else parts.splice(rng.int(parts.length + 1), 0, { name: rng.pick(EXTRA_RECORDS), data: Buffer.from(rng.pick(['little', 'big', '3\n', ''])) });
  }
  return joinZip(parts, { zip64: rng.chance(0.15), descriptors: rng.chance(0.5) });
}

const tensors = () => tf.memory().numTensors;

export async function createTarget(): Promise<Target> {
  const seeds: TorchSeed[] = [];
  for (const folder of FOLDERS) {
    const url = new URL(folder, import.meta.url);
    for (const file of readdirSync(url).filter((f) => /\.(pt|pth)$/.test(f)).sort()) {
      seeds.push(torchSeed(file, new Uint8Array(readFileSync(new URL(file, url)))));
    }
  }
  const donors = seeds.map((s) => s.bytes);
  const pickles = seeds.flatMap((s) => (s.parts ? s.parts.filter((p) => DATA_PKL.test(p.name)).map((p) => p.data) : s.pickles[3] ? [s.bytes.subarray(s.pickles[3].start, s.pickles[3].end)] : []));
  const maxBytes = 4 * Math.max(...donors.map((d) => d.length));
  const opcodeAware = (seed: TorchSeed, rng: Rng) => {
    if (seed.parts) return zipInput(seed, rng, pickles);
    const span = rng.chance(0.7) && seed.pickles[3] ? seed.pickles[3] : rng.pick(seed.pickles);
    return mutatePickleTimes(seed.bytes, span, rng, pickles);
  };
  return {
    name: 'unpickler',
    seeds,
    maxBytes,
    generate(rng) {
      const seed = rng.pick(seeds);
      const ctx = { hot: seed.hot, donors, maxBytes };
      const r = rng.int(100);
      if (r < 30) return havoc(seed.bytes, rng, ctx);
      if (r < 88) {
        const bytes = opcodeAware(seed, rng);
        return rng.chance(0.1) ? havoc(bytes, rng, { ...ctx, hot: [] }) : bytes;
      }
      if (r < 94) return havoc(MUTATIONS.splice!(seed.bytes, rng, ctx), rng, ctx);
      return MUTATIONS.truncate!(opcodeAware(seed, rng), rng, { ...ctx, hot: [] });
    },
    async run(bytes, probe) {
      const file = await probe.stage('readTorchFile', () => readTorchFile(bytes));
      if (file === undefined) return;
      await probe.stage('modelFromTorch', () => modelFromTorch(file.value), {
        tensors,
        dispose: (result) => {
          result.model.dispose();
          result.optimizer?.dispose();
        },
      });
    },
  };
}
