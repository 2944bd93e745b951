import type { ResNetArgs } from './args.generated.js';

/**
 * The ResNets of the reference implementation's example (examples/save_load.py): blocks, unit kind,
 * 64 channels, batch norm.
 */
export const RESNET_PRESETS = {
  resnet18: { blocks: [2, 2, 2, 2], block: 'basic' },
  resnet20: { blocks: [3, 3, 3], block: 'basic' },
  resnet34: { blocks: [3, 4, 6, 3], block: 'basic' },
  resnet50: { blocks: [3, 4, 6, 3], block: 'bottleneck' },
} as const satisfies Record<string, Pick<ResNetArgs, 'blocks' | 'block'>>;

export type ResNetPreset = keyof typeof RESNET_PRESETS;

/**
 * Complete ResNet arguments for a preset as the reference implementation's example builds it:
 * channels 64, batch norm, zero-initialised residuals, bias; the common options at archbundle's
 * defaults (the reference implementation's Classifier clamps by default, archbundle does not).
 * `base` may override anything but the preset's blocks and unit kind. The reference
 * implementation's "resnet34" has [3, 4, 6, 3] basic units, as torchvision's ResNet-34.
 */
export function resnetPreset(
  preset: ResNetPreset,
  base: Pick<ResNetArgs, 'classes' | 'resolution'> & Partial<ResNetArgs>,
): Required<ResNetArgs> {
  const { blocks, block } = RESNET_PRESETS[preset];
  return {
    bias: true,
    clamp: false,
    whitening: null,
    channels: 64,
    normalization: 'bn',
    zeroResiduals: true,
    ...base,
    blocks: [...blocks],
    block,
  };
}
