import type { Dataset } from '../data/types.js';
import { ValidationError, type Issue } from '../../core/errors.js';

export interface FitSubject {
  /** Where the model's arguments come from (a bundle file), named in the message; omitted for the config. */
  source?: string;
  /** JSON pointer of the arguments in their document, e.g. "/model/args" in a config; "" by default. */
  pointer?: string;
}

/**
 * Refuses a model whose classes or input resolution differ from the dataset's, before any batch
 * is built: training and evaluation must fail the same way, as `ValidationError` `E_INVALID_ARGS`
 * (the model's arguments do not suit the data), with one issue per mismatching argument.
 */
export function checkModelFitsDataset(
  model: { className: string; args: Readonly<Record<string, unknown>> },
  dataset: Pick<Dataset, 'name' | 'classes' | 'resolution'>,
  where: FitSubject = {},
): void {
  const args = model.args as { classes: number; resolution: readonly number[] };
  const pointer = where.pointer ?? '';
  const issues: Issue[] = [];
  if (args.classes !== dataset.classes) {
    issues.push({ pointer: `${pointer}/classes`, keyword: 'dataset', message: `must be ${dataset.classes} for ${dataset.name}, received ${args.classes}` });
  }
  if (args.resolution.join(',') !== dataset.resolution.join(',')) {
    issues.push({
      pointer: `${pointer}/resolution`,
      keyword: 'dataset',
      message: `must be [${dataset.resolution.join(', ')}] for ${dataset.name}, received [${args.resolution.join(', ')}]`,
    });
  }
  const subject = `${model.className} arguments${where.source ? ` in ${where.source}` : ''}`;
  if (issues.length > 0) throw new ValidationError('E_INVALID_ARGS', subject, issues);
}
