/**
 * The input contract (input.json): how to make one, and the check that it fits the model it
 * describes. Writers and readers both run the check, so a contract that disagrees with its
 * architecture's arguments never gets into a bundle, nor out of one.
 */
import { BundleError, formatIssues, type Issue } from '../errors.js';
import type { InputContract, PixelScaling } from './entries.js';

/**
 * The scaling archbundle's training applies to 8-bit images (0..255 → 0..1), and the one
 * assumed for a bundle without a contract (format version 1 wrote no input.json).
 */
export const DEFAULT_PIXEL_SCALING: Readonly<PixelScaling> = Object.freeze({ scale: 1 / 255, offset: 0 });

/** One example's [height, width, channels] for an architecture's resolution [channels, height, width]. */
export function inputShape(resolution: readonly [number, number, number]): [number, number, number] {
  const [channels, height, width] = resolution;
  return [height, width, channels];
}

export interface InputContractOptions {
  /** The architecture's resolution, [channels, height, width]. */
  resolution: readonly [number, number, number];
  /** One name per class, or null (the default) when the classes have no names. */
  labels?: readonly string[] | null;
  /** The training dataset's name, or null (the default) when unknown. */
  dataset?: string | null;
  /** Default DEFAULT_PIXEL_SCALING, archbundle's own training's. */
  pixels?: PixelScaling;
}

/** A contract for a model of `resolution`; `checkInputContract` against the model's arguments still applies. */
export function inputContract(options: InputContractOptions): InputContract {
  return {
    dataset: options.dataset ?? null,
    labels: options.labels ? [...options.labels] : null,
    pixels: { ...(options.pixels ?? DEFAULT_PIXEL_SCALING) },
    layout: 'NHWC',
    shape: inputShape(options.resolution),
  };
}

/** The arguments every architecture has that a contract must agree with. */
export interface ContractSubject {
  classes: number;
  resolution: readonly [number, number, number];
}

/**
 * Refuses a contract that does not fit the model: a label count other than the model's classes,
 * or a shape other than its resolution reordered (E_INPUT_MISMATCH, one issue per problem, with
 * pointers into input.json).
 */
export function checkInputContract(input: InputContract, args: ContractSubject): void {
  const issues: Issue[] = [];
  if (input.labels && input.labels.length !== args.classes) {
    issues.push({
      pointer: '/labels',
      keyword: 'classes',
      message: `must have one label per class (${args.classes}), received ${input.labels.length}`,
    });
  }
  const expected = inputShape(args.resolution);
  if (input.shape.join(',') !== expected.join(',')) {
    issues.push({
      pointer: '/shape',
      keyword: 'resolution',
      message: `must be [${expected.join(', ')}] (the model's resolution [${args.resolution.join(', ')}] as height, width, channels), received [${input.shape.join(', ')}]`,
    });
  }
  if (issues.length > 0) {
    throw new BundleError('E_INPUT_MISMATCH', `input.json does not fit the model: ${formatIssues(issues)}`, issues);
  }
}
