import type { Io } from './io.js';

/** One `archbundle` sub-command. Modules are imported only when run, so cheap commands stay cheap. */
export interface Command {
  name: string;
  summary: string;
  /** Full --help text. */
  help: string;
  /** Returns the exit code; throws ArchbundleError (exit 1) or UsageError (exit 2). */
  run(argv: string[], io: Io): Promise<number>;
}

/** The registered commands, in help order, each loaded on demand. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  train: { summary: 'train a model from a config file', load: async () => (await import('./commands/train.js')).default },
  sweep: { summary: 'train the runs of a sweep file (grid and variants), N at a time, resumable', load: async () => (await import('./commands/sweep.js')).default },
  worker: { summary: "train runs from a sweep's queue (Redis), on any number of machines", load: async () => (await import('./commands/worker.js')).default },
  eval: { summary: 'evaluate any bundle on a dataset', load: async () => (await import('./commands/eval.js')).default },
  predict: { summary: 'classify images and arrays with any bundle', load: async () => (await import('./commands/predict.js')).default },
  view: { summary: 'open bundles and runs in the browser (a local viewer server)', load: async () => (await import('./commands/view.js')).default },
  report: { summary: 'write a self-contained HTML report of bundles (opens offline)', load: async () => (await import('./commands/report.js')).default },
  compare: { summary: 'a leaderboard of bundles, runs and sweeps', load: async () => (await import('./commands/compare.js')).default },
  inspect: { summary: 'show what a bundle holds', load: async () => (await import('./commands/inspect.js')).default },
  validate: { summary: 'check bundles (for CI); exit 0 valid, 1 invalid, 2 usage', load: async () => (await import('./commands/validate.js')).default },
  import: { summary: 'turn a PyTorch checkpoint into a bundle, executing nothing', load: async () => (await import('./commands/import.js')).default },
  export: { summary: 'write a bundle as safetensors (PyTorch\'s names and layouts) or as an ONNX model', load: async () => (await import('./commands/export.js')).default },
  schema: { summary: 'list registered architectures or show one schema', load: async () => (await import('./commands/schema.js')).default },
  codegen: { summary: 'regenerate argument types from the JSON Schemas', load: async () => (await import('./commands/codegen.js')).default },
};
