// Preloaded with `node --import` in a child process: any attempt to load TensorFlow.js fails,
// proving a command runs without it.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@tensorflow/')) throw new Error('TensorFlow.js was loaded: ' + specifier + ' from ' + context.parentURL);
  return next(specifier, context);
}`),
);
