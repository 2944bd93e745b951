import path from 'node:path';
import type { InputContract } from '../../../core/bundle/entries.js';
import { readBundle } from '../../../core/bundle/read-bundle.js';
import type { Command } from '../command.js';
import { integer, json, table } from '../format.js';
import type { Io } from '../io.js';
import { openBundleFile } from '../../files/bundle-file.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';
import { summarizeOptimizer } from '../../../core/bundle/optimizer-summary.js';

const help = `Usage: archbundle inspect BUNDLE [--json]

Show what a bundle holds: class, arguments, input contract (dataset, labels, pixel scaling,
input shape), parameter count, tensor table, optimizer, scheduler, epoch, metrics and
versions. Reads the bundle fully (checksums included) without loading TensorFlow.js.

Options:
  --json       the same as one JSON object
  --verbose    stack traces on errors
  -h, --help   this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('inspect', argv, { json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError(`expected one bundle file, received ${positionals.length}`, 'inspect');
  const file = positionals[0]!;
  const contents = await readBundle(await openBundleFile(path.resolve(io.cwd, file)));
  const elements = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const tensors = contents.weights.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, bytes: t.byteLength }));
  const summary = {
    file,
    class: contents.arch.class,
    schemaId: contents.arch.schemaId,
    schemaVersion: contents.arch.schemaVersion,
    savedSchemaVersion: contents.arch.savedSchemaVersion,
    migrations: contents.arch.migrations,
    renamedLayers: contents.arch.renamedLayers,
    args: contents.arch.args,
    input: contents.input ?? null,
    parameters: contents.weights.reduce((n, t) => n + elements(t.shape), 0),
    tensors,
    optimizer: summarizeOptimizer(contents.optimizer),
    scheduler: contents.scheduler ?? null,
    epoch: contents.training.epoch,
    globalStep: contents.training.globalStep,
    metrics: contents.training.metrics,
    versions: {
      format: contents.manifest.formatVersion,
      archbundle: contents.manifest.archbundleVersion,
      tfjs: contents.manifest.tfjsVersion,
    },
  };
  if (values.json) {
    io.out(json(summary));
    return EXIT.ok;
  }
  const s = summary;
  const lines = [
    `bundle:     ${s.file}`,
    `class:      ${s.class} (schema ${s.schemaId}, version ${s.schemaVersion}` +
      (s.migrations.length ? `, migrated from ${s.savedSchemaVersion}: ${s.migrations.join('; ')}` : '') +
      ')',
    ...(Object.keys(s.renamedLayers).length
      ? [`renamed:    ${Object.entries(s.renamedLayers).map(([from, to]) => `${from} → ${to}`).join(', ')} (stored name → current; tensors listed as current)`]
      : []),
    `arguments:  ${JSON.stringify(s.args)}`,
    `input:      ${describeInput(s.input, s.versions.format)}`,
    `parameters: ${integer(s.parameters)} values in ${s.tensors.length} stored tensors`,
    `optimizer:  ${s.optimizer ? `${s.optimizer.class} ${JSON.stringify(s.optimizer.args)}, lr ${s.optimizer.learningRate}, step ${s.optimizer.step}, ${s.optimizer.slots} slot tensors` : '(none)'}`,
    `scheduler:  ${s.scheduler ? `${s.scheduler.class} ${JSON.stringify(s.scheduler.args)}, state ${JSON.stringify(s.scheduler.state)}` : '(none)'}`,
    `epoch:      ${s.epoch} (step ${s.globalStep})`,
    `versions:   format ${s.versions.format}, archbundle ${s.versions.archbundle}, tfjs ${s.versions.tfjs}`,
  ];
  io.out(`${lines.join('\n')}\n\n`);
  io.out(table(['TENSOR', 'DTYPE', 'SHAPE', 'BYTES'], s.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, integer(t.bytes)])));
  if (s.metrics.length > 0) {
    const keys = [...new Set(s.metrics.flatMap((m) => Object.keys(m)))].sort((a, b) => metricRank(a) - metricRank(b) || a.localeCompare(b));
    io.out('\n');
    io.out(table(keys.map((k) => k.toUpperCase()), s.metrics.map((m) => keys.map((k) => formatMetric(m[k])))));
  }
  return EXIT.ok;
}

function describeInput(input: InputContract | null, formatVersion: number): string {
  if (!input) return formatVersion < 2 ? '(none: format version 1 bundles hold no input contract)' : '(none)';
  const labels = input.labels ? `labels ${input.labels.map((l) => JSON.stringify(l)).join(', ')}` : 'no labels';
  const { scale, offset } = input.pixels;
  return `dataset ${input.dataset ?? '(unknown)'}, ${labels}; pixels 8-bit value × ${scale} + ${offset}; ${input.layout} [${input.shape.join(', ')}]`;
}

/** Metrics in reading order (the bundle stores JSON with sorted keys). */
const METRIC_ORDER = ['epoch', 'step', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'learningRate', 'imagesPerSecond', 'seconds'];
function metricRank(key: string): number {
  const i = METRIC_ORDER.indexOf(key);
  return i < 0 ? METRIC_ORDER.length : i;
}

function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

const command: Command = { name: 'inspect', summary: 'show what a bundle holds', help, run };
export default command;
