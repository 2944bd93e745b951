/**
 * Brings arguments saved under an older architecture schema version up to the current one,
 * through the definition's declared migrations. TF.js-free. No stored argument disappears unless
 * a migration declares it renamed or dropped, and nothing is defaulted behind the caller's back:
 * the result must name every argument the current schema declares.
 */
import { schemaVersion, type ArchitectureSpec } from './architecture.js';
import { ArchbundleError, ValidationError, type Issue } from './errors.js';
import { checkLayerRenames, composeLayerRenames, type LayerRenames } from './layer-renames.js';
import { escapePointer } from './validate.js';

export interface MigrationResult {
  args: Record<string, unknown>;
  /** Descriptions of the migrations applied, oldest first. */
  applied: string[];
  /** Every layer the applied migrations renamed: stored (oldest) name → current name. */
  layers: LayerRenames;
}

export function migrateArchitectureArgs(definition: ArchitectureSpec<any>, args: Record<string, unknown>, fromVersion: number): MigrationResult {
  const current = schemaVersion(definition.schema);
  const name = definition.name;
  if (!Number.isInteger(fromVersion) || fromVersion < 1) {
    throw new ArchbundleError('E_SCHEMA_VERSION', `${name} schema version must be a positive integer, received ${fromVersion}`);
  }
  if (fromVersion > current) {
    throw new ArchbundleError(
      'E_SCHEMA_VERSION',
      `${name} arguments were saved under schema version ${fromVersion}, newer than this archbundle knows (${current}); upgrade archbundle to load them`,
    );
  }
  let migrated = structuredClone(args);
  const applied: string[] = [];
  let layers: LayerRenames = {};
  for (let version = fromVersion; version < current; version++) {
    const step = definition.migrations?.find((m) => m.from === version);
    if (!step) {
      throw new ArchbundleError('E_SCHEMA_VERSION', `${name} has no migration from schema version ${version} to ${version + 1}; cannot load arguments saved under version ${fromVersion}`);
    }
    // A migration is written for arguments its version's schema accepted, but stored ones are
    // unchecked input (no schema of the old version is kept): what it throws on them is theirs.
    const attempt = <T>(what: string, run: () => T): T => {
      try {
        return run();
      } catch (error) {
        if (error instanceof ArchbundleError) throw error;
        const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new ValidationError('E_INVALID_ARGS', `${name} stored arguments`, [{ pointer: '', keyword: 'migration', message: `do not fit the migration from version ${version} ("${step.description}"): its ${what} threw ${why}` }]);
      }
    };
    const next = attempt('argument step', () => step.migrate(structuredClone(migrated)));
    const issues: Issue[] = [];
    for (const key of Object.keys(migrated)) {
      if (key in next) continue;
      const target = step.renamed?.[key];
      if (target !== undefined && target in next) continue;
      if (step.dropped?.includes(key)) continue;
      issues.push({ pointer: `/${escapePointer(key)}`, keyword: 'migration', message: `was removed by the migration from version ${version} ("${step.description}") without being declared renamed or dropped` });
    }
    if (issues.length > 0) throw new ValidationError('E_SCHEMA_VERSION', `${name} migration from version ${version}`, issues);
    migrated = next;
    if (step.weights) {
      const weights = step.weights;
      const renames = checkLayerRenames(attempt('layer renames', () => weights(structuredClone(next))), `${name} migration from version ${version} layer renames`);
      layers = composeLayerRenames(layers, renames);
    }
    applied.push(`${version}→${version + 1}: ${step.description}`);
  }
  return { args: migrated, applied, layers };
}

/** Stored arguments must be complete: every argument the schema declares, no default filled on load. */
export function checkArgsComplete(definition: ArchitectureSpec<any>, args: Record<string, unknown>): void {
  const declared = Object.keys((definition.schema.properties ?? {}) as Record<string, unknown>);
  const missing = declared.filter((key) => !Object.hasOwn(args, key));
  if (missing.length > 0) {
    throw new ValidationError(
      'E_INVALID_ARGS',
      `${definition.name} stored arguments`,
      missing.map((key) => ({ pointer: `/${escapePointer(key)}`, keyword: 'complete', message: 'is declared by the schema but missing from the stored arguments (a migration must add it explicitly)' })),
    );
  }
}
