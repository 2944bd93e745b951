/**
 * Layer renames declared by architecture migrations (old layer name → new), composed along a
 * chain of migrations and applied to stored tensor names. A weight is `<layer>/<weight>` and an
 * optimizer slot `<layer>/<weight>/<slot>`, so renaming the part before the first `/` moves both.
 * The renames of one step apply all at once: `{ conv11: 'conv9', conv13: 'conv11' }` moves the
 * old conv13 to conv11 and the old conv11 away, whatever the order of the keys.
 */
import { BundleError, ValidationError, type Issue } from './errors.js';
import { escapePointer } from './validate.js';

export type LayerRenames = Readonly<Record<string, string>>;

/** A migration's map as it may be written (by any architecture author), checked. */
export function checkLayerRenames(value: unknown, what: string): LayerRenames {
  const issues: Issue[] = [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('E_SCHEMA_VERSION', what, [{ pointer: '', keyword: 'type', message: 'layer renames must be an object of old layer name → new layer name' }]);
  }
  for (const [from, to] of Object.entries(value)) {
    const bad = (name: unknown) => typeof name !== 'string' || name.length === 0 || name.includes('/');
    if (bad(from) || bad(to)) {
      issues.push({ pointer: `/${escapePointer(from)}`, keyword: 'layer', message: `must map a layer name to a layer name (non-empty, no "/"), received ${JSON.stringify(to)}` });
    }
  }
  if (issues.length > 0) throw new ValidationError('E_SCHEMA_VERSION', what, issues);
  return value as LayerRenames;
}

/** The renames of `first`, then those of `second`, as one map from the oldest names. */
export function composeLayerRenames(first: LayerRenames, second: LayerRenames): LayerRenames {
  const out: Record<string, string> = {};
  for (const [from, via] of Object.entries(first)) out[from] = lookup(second, via) ?? via;
  // a layer `first` left alone is still under its old name when `second` renames it
  for (const [from, to] of Object.entries(second)) if (!Object.hasOwn(first, from)) out[from] = to;
  for (const [from, to] of Object.entries(out)) if (from === to) delete out[from];
  return out;
}

/** A stored tensor's name under the current layer names. */
export function renameTensor(name: string, renames: LayerRenames): string {
  const slash = name.indexOf('/');
  if (slash < 0) return name;
  const layer = lookup(renames, name.slice(0, slash));
  return layer === undefined ? name : layer + name.slice(slash);
}

/**
 * Renames every tensor of a table (weights.json, optimizer.json); two tensors that end under one
 * name fail with E_TENSOR_TABLE, as a duplicate name in the table itself would.
 */
export function renameTensors<T extends { name: string }>(tensors: readonly T[], renames: LayerRenames, entry: string): T[] {
  if (Object.keys(renames).length === 0) return [...tensors];
  const seen = new Map<string, string>();
  const issues: Issue[] = [];
  const out = tensors.map((t, i) => {
    const name = renameTensor(t.name, renames);
    const other = seen.get(name);
    if (other !== undefined) issues.push({ pointer: `/tensors/${i}/name`, keyword: 'unique', message: `"${other}" and "${t.name}" are both named "${name}" after the renames` });
    seen.set(name, t.name);
    return { ...t, name };
  });
  if (issues.length > 0) throw new BundleError('E_TENSOR_TABLE', `tensor table ${entry} has duplicate names after the migrations' layer renames`, issues);
  return out;
}

/** Own keys only: a stored layer named "constructor" is not renamed by Object.prototype. */
function lookup(renames: LayerRenames, layer: string): string | undefined {
  return Object.hasOwn(renames, layer) ? renames[layer] : undefined;
}
