/**
 * The bundle reader under fuzz: every input goes through readBundle (TF.js-free, fast); the
 * full load, State.load (which builds a TF.js model and must free every tensor when it fails),
 * runs on inputs readBundle accepted and on every 20th input whatever readBundle said, since a
 * load fails later than a read (after tensors were made) on inputs with a late defect. Inputs
 * reach the readers as bytes, as a chunked stream or as a file whose reads finish out of order.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { readBundle, State, type BundleFile, type BundleSource } from '../../src/index.js';
import { joinTar, splitTar, withFixedManifest, type Part, type TarOptions } from '../containers.js';
import { mutateJson } from '../json-mutators.js';
import { havoc, MUTATIONS, type Span } from '../mutators.js';
import type { Rng } from '../rng.js';
import { Finding, type Seed, type Target } from '../target.js';
import { seedBundles } from './bundles.js';

const ENTRY_NAMES = ['arch.json', 'weights.json', 'weights.bin', 'optimizer.json', 'optimizer.bin', 'scheduler.json', 'training.json', 'manifest.json'];
const HOSTILE_NAMES = ['../arch.json', '/arch.json', 'arch.json/', 'ARCH.JSON', 'x', '', './weights.bin', 'a'.repeat(99), 'weights.bin\u0000x'];
const FULL_LOAD_EVERY = 20;

interface TarSeed extends Seed {
  parts: Part[];
}

function tarSeed(name: string, bytes: Uint8Array): TarSeed {
  const parts = splitTar(bytes);
  const hot: Span[] = parts.flatMap((p) => [{ start: p.headerAt, end: p.dataAt }, ...(p.name.endsWith('.json') ? [{ start: p.dataAt, end: p.dataAt + p.data.length }] : [])]);
  const last = parts[parts.length - 1]!;
  hot.push({ start: last.dataAt + last.data.length, end: bytes.length }); // padding and the end marker
  return { name, bytes, hot, parts: parts.map(({ name: n, data }) => ({ name: n, data })) };
}

/** One edit of the entry list: an entry's content, or which entries there are, in what order, under what names. */
function editParts(parts: Part[], rng: Rng): void {
  const k = rng.int(10);
  const json = parts.filter((p) => p.name.endsWith('.json'));
  if (k < 5 && json.length > 0) {
    const part = rng.pick(json);
    part.data = Buffer.from(mutateJson(Buffer.from(part.data).toString('utf8'), rng));
  } else if (k === 5) {
    const part = rng.pick(parts);
    part.data = havoc(part.data, rng, { hot: [], donors: [], maxBytes: part.data.length + 4096 });
  } else if (k === 6 && parts.length > 0) {
    parts.splice(rng.int(parts.length), 1);
  } else if (k === 7 && parts.length > 0) {
    const copy = rng.pick(parts);
    parts.splice(rng.int(parts.length + 1), 0, { ...copy });
  } else if (k === 8 && parts.length > 1) {
    const [i, j] = [rng.int(parts.length), rng.int(parts.length)];
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  } else if (parts.length > 0) {
    rng.pick(parts).name = rng.chance(0.6) ? rng.pick(ENTRY_NAMES) : rng.pick(HOSTILE_NAMES);
  }
}

/** The seed's entries edited and packed again, the manifest usually repaired, the tar dialect varied. */
function structural(seed: TarSeed, rng: Rng): Uint8Array {
  const parts = seed.parts.map((p) => ({ ...p }));
  const edits = rng.chance(0.1) ? 0 : 1 + rng.small(3);
  for (let e = 0; e < edits; e++) editParts(parts, rng);
  const options: TarOptions = {
    pax: new Set(parts.flatMap((_, i) => (rng.chance(0.08) ? [i] : []))),
    longName: new Set(parts.flatMap((_, i) => (rng.chance(0.04) ? [i] : []))),
    gnu: rng.chance(0.1),
    endBlocks: rng.pick([2, 2, 2, 2, 0, 1, 3, 18, 20, 21]),
  };
  return joinTar(rng.chance(0.85) ? withFixedManifest(parts) : parts, options);
}

/** A file whose concurrent reads finish out of order (each waits a different number of microtask turns). */
function outOfOrderFile(bytes: Uint8Array): BundleFile {
  let calls = 0;
  return {
    async readAt(target, position) {
      for (let hops = (calls++ * 7) % 5; hops > 0; hops--) await null;
      const part = bytes.subarray(position, position + target.length);
      target.set(part);
      return part.length;
    },
    close: async () => undefined,
  };
}

/** Chunks of varying sizes (1 byte to 4 KiB), as a stream delivers them. */
async function* chunked(bytes: Uint8Array, iteration: number): AsyncIterable<Uint8Array> {
  const sizes = [1, 7, 512, 513, 4096, 100, 3];
  for (let at = 0, k = Math.abs(iteration); at < bytes.length; k++) {
    const n = sizes[k % sizes.length]!;
    yield bytes.slice(at, at + n);
    at += n;
  }
}

function source(bytes: Uint8Array, iteration: number): BundleSource {
  const kind = Math.abs(iteration) % 4;
  if (kind === 2) return chunked(bytes, iteration);
  if (kind === 3) return outOfOrderFile(bytes);
  return bytes;
}

const tensors = () => tf.memory().numTensors;

export async function createTarget(): Promise<Target> {
  const made = await seedBundles();
  const fixture = new Uint8Array(readFileSync(new URL('../../test/fixtures/simplenet-v1-16x16.bundle', import.meta.url)));
  const seeds = [...made.map((b) => tarSeed(b.name, b.bytes)), tarSeed('simplenet-v1-16x16.bundle', fixture)];
  const donors = seeds.map((s) => s.bytes);
  const maxBytes = Math.min(1 << 20, 4 * Math.max(...donors.map((d) => d.length)));
  return {
    name: 'tar',
    seeds,
    maxBytes,
    generate(rng) {
      const seed = rng.pick(seeds);
      const ctx = { hot: seed.hot, donors, maxBytes };
      const r = rng.int(100);
      if (r < 35) return havoc(seed.bytes, rng, ctx);
      if (r < 85) {
        const bytes = structural(seed, rng);
        return rng.chance(0.15) ? havoc(bytes, rng, { ...ctx, hot: [] }) : bytes;
      }
      if (r < 93) return havoc(MUTATIONS.splice!(seed.bytes, rng, ctx), rng, ctx);
      return MUTATIONS.truncate!(structural(seed, rng), rng, { ...ctx, hot: [] });
    },
    async run(bytes, probe, iteration) {
      const read = await probe.stage('readBundle', () => readBundle(source(bytes, iteration)));
      if (read === undefined && iteration % FULL_LOAD_EVERY !== 0) return;
      const loaded = await probe.stage('State.load', () => State.load(source(bytes, iteration)), {
        tensors,
        dispose: (state) => {
          state.model.dispose();
          state.optimizer?.dispose();
        },
      });
      if (loaded !== undefined && read === undefined) throw new Finding('inconsistent', 'State.load accepted a bundle that readBundle refused');
    },
  };
}
