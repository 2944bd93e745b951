/**
 * The built-in architectures: an explicit list, registered when archbundle is imported.
 * Add a new one here after creating architectures/<name>/{schema.json,index.ts} and running
 * `npm run codegen`.
 */
import './types.generated.js';
import { registerArchitecture, type AnyArchitecture } from '../src/core/architectures.js';
import lenet from './lenet/index.js';
import mlp from './mlp/index.js';
import resnet from './resnet/index.js';
import simplenet from './simplenet/index.js';
import wideresnet from './wideresnet/index.js';

export const builtinArchitectures: readonly AnyArchitecture[] = [mlp, lenet, simplenet, resnet, wideresnet];

for (const definition of builtinArchitectures) registerArchitecture(definition);

export { RESNET_PRESETS, resnetPreset, type ResNetPreset } from './resnet/presets.js';
