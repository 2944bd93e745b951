// Child process: checks a bundle file with the TF.js-free layers only; prints the result as JSON.
import { readBundle } from '../../src/core/index.js';
import { openBundleFile } from '../../src/node/files/bundle-file.js';

try {
  const contents = await readBundle(await openBundleFile(process.argv[2]!));
  console.log(JSON.stringify({ ok: true, class: contents.arch.class, tensors: contents.weights.length }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, code: (error as { code?: string }).code, message: (error as Error).message }));
}
