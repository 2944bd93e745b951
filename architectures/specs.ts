/**
 * The built-in architectures' specs (schemas, checks, migrations): an explicit list, TF.js-free.
 * A new built-in is architectures/<name>/{schema.json,spec.ts,build.ts}, one line here, one in
 * builders.ts, then `npm run codegen`.
 */
import type { ArchitectureSpec } from '../src/core/architecture.js';
import lenet from './lenet/spec.js';
import mlp from './mlp/spec.js';
import resnet from './resnet/spec.js';
import simplenet from './simplenet/spec.js';
import wideresnet from './wideresnet/spec.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const builtinArchitectureSpecs: readonly ArchitectureSpec<any>[] = [mlp, lenet, simplenet, resnet, wideresnet];
