// Module hooks for a child process: any attempt to load TensorFlow.js fails loudly.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@tensorflow/')) throw new Error('TF.js was loaded: ' + specifier + ' from ' + context.parentURL);
  return next(specifier, context);
}`),
);
