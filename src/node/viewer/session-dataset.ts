/**
 * Which dataset's test split a `view` session serves: the one named by --data, else the one the
 * first bundle's input contract names. The bundle is read with the core reader (checksums
 * included, no TF.js); when no dataset can be had, the session serves none and the log says why.
 */
import { readBundle } from '../../core/bundle/read-bundle.js';
import { ArchbundleError } from '../../core/errors.js';
import type { FileDatasetName } from '../../core/config.js';
import type { ViewerSession } from '../../core/viewer-protocol.js';
import { openBundleFile } from '../files/bundle-file.js';
import type { ListedBundle } from './discover.js';
import { isFileDatasetName, type SampleStore } from './samples.js';

export interface SessionDataset {
  dataset: FileDatasetName | null;
  samples: ViewerSession['samples'];
  /** One line for the server's log: what is served and where it came from, or why nothing is. */
  line: string;
}

/** An explicit `option` that cannot be loaded throws (the user asked for it); anything else is a line in the log. */
export async function chooseSessionDataset(option: FileDatasetName | undefined, bundles: readonly ListedBundle[], store: SampleStore): Promise<SessionDataset> {
  if (option !== undefined) return served(option, '--data', await store.testSplit(option));
  const first = bundles[0];
  if (!first) return none('no bundle to take a dataset from; pass --data NAME');
  let named: string | null;
  try {
    const contents = await readBundle(await openBundleFile(first.file));
    if (!contents.input) return none(`${first.path} holds no input contract naming its dataset; pass --data NAME`);
    named = contents.input.dataset;
  } catch (error) {
    return none(`${first.path} could not be read (${describe(error)}); pass --data NAME`);
  }
  if (named === null) return none(`the input contract of ${first.path} names no dataset; pass --data NAME`);
  if (!isFileDatasetName(named)) return none(`${first.path} was trained on "${named}", which has no files to serve; pass --data NAME`);
  try {
    return served(named, `the input contract of ${first.path}`, await store.testSplit(named));
  } catch (error) {
    return none(describe(error));
  }
}

function served(dataset: FileDatasetName, from: string, split: { split: { count: number } }): SessionDataset {
  const count = split.split.count;
  return { dataset, samples: { dataset, count }, line: `samples: ${dataset} test split, ${count.toLocaleString('en-US')} examples (from ${from})` };
}

function none(why: string): SessionDataset {
  return { dataset: null, samples: null, line: `samples: none (${why})` };
}

function describe(error: unknown): string {
  return error instanceof ArchbundleError ? `${error.code}: ${error.message}` : (error as Error).message;
}
