/** The built-in architectures' builders (TF.js), one per spec in specs.ts. */
import type { AnyArchitecture } from '../src/tfjs/architecture.js';
import lenet from './lenet/build.js';
import mlp from './mlp/build.js';
import resnet from './resnet/build.js';
import simplenet from './simplenet/build.js';
import wideresnet from './wideresnet/build.js';

export const builtinArchitectures: readonly AnyArchitecture[] = [mlp, lenet, simplenet, resnet, wideresnet];
