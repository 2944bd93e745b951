import type { TinyCNNArgs } from './args.generated.js';

// Makes createModel('TinyCNN', args) typed: wrong or missing arguments are compile errors.
declare module 'archbundle' {
  interface ArchitectureArgs {
    TinyCNN: TinyCNNArgs;
  }
}
