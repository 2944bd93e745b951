/** A live model's arch.json (without the format version, which the writer adds). */
import type { ArchEntry } from '../../core/bundle/entries.js';
import { architectures } from '../../core/registries.js';
import type { Classifier } from '../classifier.js';

export function archEntryOf(model: Classifier): Omit<ArchEntry, 'formatVersion'> {
  return {
    class: model.className,
    schemaId: String(architectures.get(model.className).schema.$id),
    schemaVersion: model.schemaVersion,
    args: { ...model.args },
  };
}
