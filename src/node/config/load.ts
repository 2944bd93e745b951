import path from 'node:path';
import { validateArchitectureArgs, architectureRegistry } from '../../core/architectures.js';
import { ArchbundleError, ValidationError, type Issue } from '../../core/errors.js';
import { validateOrThrow } from '../../core/validate.js';
import { findConfig } from './find.js';
import { applyOverrides } from './overrides.js';
import { configSchema } from './schema.js';
import type { LoadedConfig, TrainConfig } from '../../core/config-types.js';
import { registerUserArchitectures } from './user-architectures.js';

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
  config.model.args = validateModel(config, subject);
  await validateTraining(config, subject);
  return { config, filepath };
}

/** Optimizer and scheduler classes and arguments; their registries load TF.js, so only when needed. */
async function validateTraining(config: TrainConfig, subject: string): Promise<void> {
  const [optimizers, schedulers] = await Promise.all([import('../../tfjs/train/optimizers/index.js'), import('../../tfjs/train/schedulers/index.js')]);
  const issues: Issue[] = [];
  const check = (
    pointer: string,
    kind: string,
    registry: { has(name: string): boolean; names(): string[] },
    entry: { class: string; args?: Record<string, unknown> },
    validate: (name: string, args: unknown) => Record<string, unknown>,
  ) => {
    if (!registry.has(entry.class)) {
      issues.push({
        pointer: `${pointer}/class`,
        keyword: 'registry',
        message: `names no registered ${kind} ("${entry.class}"); registered: ${registry.names().join(', ')}`,
      });
      return;
    }
    try {
      entry.args = validate(entry.class, entry.args ?? {});
    } catch (error) {
      if (!(error instanceof ArchbundleError) || error.issues.length === 0) throw error;
      issues.push(...error.issues.map((i) => ({ ...i, pointer: `${pointer}/args${i.pointer}` })));
    }
  };
  check('/optimizer', 'optimizer', optimizers.optimizerRegistry, config.optimizer, optimizers.validateOptimizerArgs);
  if (config.scheduler) {
    check('/scheduler', 'scheduler', schedulers.schedulerRegistry, config.scheduler, schedulers.validateSchedulerArgs);
  }
  if (issues.length > 0) throw new ValidationError('E_INVALID_CONFIG', subject, issues);
}

function validateModel(config: TrainConfig, subject: string): Record<string, unknown> {
  const name = config.model.class;
  if (!architectureRegistry.has(name)) {
    throw new ValidationError('E_INVALID_CONFIG', subject, [
      {
        pointer: '/model/class',
        keyword: 'registry',
        message: `names no registered architecture ("${name}"); registered: ${architectureRegistry.names().join(', ')}`,
      },
    ]);
  }
  try {
    return validateArchitectureArgs(name, config.model.args);
  } catch (error) {
    if (!(error instanceof ArchbundleError) || error.issues.length === 0) throw error;
    const issues: Issue[] = error.issues.map((i) => ({ ...i, pointer: `/model/args${i.pointer}` }));
    throw new ValidationError('E_INVALID_CONFIG', subject, issues);
  }
}
