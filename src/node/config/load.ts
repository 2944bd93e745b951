import path from 'node:path';
import type { ClassAndArgs, LoadedConfig, TrainConfig } from '../../core/config.js';
import { ValidationError, type Issue } from '../../core/errors.js';
import { architectures, optimizers, schedulers } from '../../core/registries.js';
import type { AnySpec, Registry } from '../../core/registry.js';
import { validateOrThrow } from '../../core/validate.js';
import { findConfig } from './find.js';
import { applyOverrides } from './overrides.js';
import { configSchema } from './schema.js';
import { registerUserArchitectures } from './user-architectures.js';

type AnyRegistry = Registry<AnySpec>;

export interface LoadConfigOptions {
  /** Explicit config file (relative to cwd); otherwise cosmiconfig searches from cwd. */
  file?: string;
  cwd?: string;
  /** `key.path=value` overrides, applied in order before validation. */
  set?: readonly string[];
}

/**
 * Finds, overrides, validates (defaults filled) and resolves a training configuration, then
 * registers its user architectures and validates the model's arguments against its class.
 * Every error names the config file and JSON pointers into it.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const { raw, filepath } = await findConfig({ file: options.file, cwd });
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('E_INVALID_CONFIG', `settings in ${filepath}`, [
      { pointer: '', keyword: 'type', message: `must be an object, received ${Array.isArray(raw) ? 'array' : typeof raw}` },
    ]);
  }
  const editable = structuredClone(raw) as Record<string, unknown>;
  applyOverrides(editable, options.set ?? []);
  return resolveConfig(editable, filepath);
}

/** Validates a plain config object (as found in `filepath`, or null for none) and resolves its paths. */
export async function resolveConfig(raw: unknown, filepath: string | null): Promise<LoadedConfig> {
  const subject = `settings in ${filepath ?? 'the config'}`;
  const config = validateOrThrow<TrainConfig>(configSchema(), raw, subject, 'E_INVALID_CONFIG');
  const base = filepath ? path.dirname(filepath) : process.cwd();
  config.output = path.resolve(base, config.output);
  if (config.data.dataDir !== null) config.data.dataDir = path.resolve(base, config.data.dataDir);
  config.architectures = config.architectures.map((m) => path.resolve(base, m));
  await registerUserArchitectures(config.architectures, filepath);
  validateClasses(config, subject);
  return { config, filepath };
}

/**
 * The model's, optimizer's and scheduler's classes and arguments, every problem at once with
 * pointers into the config; each entry's arguments are replaced by the complete ones.
 */
function validateClasses(config: TrainConfig, subject: string): void {
  const entries: [string, AnyRegistry, ClassAndArgs | null][] = [
    ['/model', architectures, config.model],
    ['/optimizer', optimizers, config.optimizer],
    ['/scheduler', schedulers, config.scheduler],
  ];
  const issues: Issue[] = [];
  for (const [pointer, registry, entry] of entries) {
    if (!entry) continue;
    const found = registry.nestedIssues(pointer, entry.class, entry.args ?? {});
    if (found.length === 0) entry.args = registry.validate(entry.class, entry.args ?? {});
    issues.push(...found);
  }
  if (issues.length > 0) throw new ValidationError('E_INVALID_CONFIG', subject, issues);
}
