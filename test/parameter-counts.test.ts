/**
 * Our models at the reference implementation's settings have exactly as many parameters as the
 * reference implementation's PyTorch models. The expected numbers were printed by
 *   /usr/bin/python3 scripts/torch_param_counts.py
 * (PyTorch 1.13; the reference implementation's models re-declared layer by layer). "parameters"
 * are PyTorch's model.parameters() (our trainable weights); "buffers" are BatchNorm running means
 * and variances (our non-trainable moving_mean / moving_variance).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useTestBackend } from './helpers/backend.js';
import { seedRandom, resnetPreset } from '../src/index.js';
import { instantiate } from '../src/train.js';

before(useTestBackend);

const cifar: [number, number, number] = [3, 32, 32];

const CASES: { label: string; name: string; args: Record<string, unknown>; parameters: number; buffers: number }[] = [
  { label: 'SimpleNet', name: 'SimpleNet', args: { classes: 10, resolution: cifar, channels: 64 }, parameters: 5498378, buffers: 9088 },
  { label: 'SimpleNet-1x28x28', name: 'SimpleNet', args: { classes: 10, resolution: [1, 28, 28], channels: 64 }, parameters: 4316042, buffers: 8064 },
  { label: 'ResNet-18', name: 'ResNet', args: resnetPreset('resnet18', { classes: 10, resolution: cifar }), parameters: 11174922, buffers: 9600 },
  { label: 'ResNet-20', name: 'ResNet', args: resnetPreset('resnet20', { classes: 10, resolution: cifar }), parameters: 4328202, buffers: 6272 },
  { label: 'ResNet-34', name: 'ResNet', args: resnetPreset('resnet34', { classes: 10, resolution: cifar }), parameters: 21283082, buffers: 17024 },
  { label: 'ResNet-50', name: 'ResNet', args: resnetPreset('resnet50', { classes: 10, resolution: cifar }), parameters: 23524746, buffers: 53120 },
  { label: 'WRN-28-10', name: 'WideResNet', args: { classes: 10, resolution: cifar, depth: 28, width: 10, channels: 16 }, parameters: 36489290, buffers: 17952 },
  { label: 'WRN-16-4-gn', name: 'WideResNet', args: { classes: 10, resolution: cifar, depth: 16, width: 4, channels: 16, normalization: 'gn' }, parameters: 2751146, buffers: 0 },
];

describe("parameter counts equal the reference implementation's PyTorch models", () => {
  for (const c of CASES) {
    it(`${c.label}: ${c.parameters} parameters, ${c.buffers} running statistics`, () => {
      seedRandom(0);
      const model = instantiate(c.name, c.args);
      try {
        const trainable = model.parameterCount(true);
        assert.equal(trainable, c.parameters);
        assert.equal(model.parameterCount(false) - trainable, c.buffers);
      } finally {
        model.dispose();
      }
    });
  }
});
