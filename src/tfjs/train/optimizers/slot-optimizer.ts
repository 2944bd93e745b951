import * as tf from '@tensorflow/tfjs';
import { BundleError, type Issue } from '../../../core/errors.js';
import type { NamedTensor, OptimizerState, TrainingOptimizer, WeightGradient, WeightShape } from '../types.js';

/** Per-weight slot tensors (e.g. Adam's exp_avg), by slot name; absent until the weight's first update. */
export type Slots = Record<string, tf.Tensor>;

/** What one update rule returns for one weight: the new value and the new slots. */
export interface UpdateResult {
  value: tf.Tensor;
  slots: Slots;
}

/**
 * The base of archbundle's optimizers. Why not TF.js's own (tf.train.adam, ...): their state does
 * not round-trip bit-exactly (Adam accumulates beta1^t by repeated float32 multiplication but
 * `setWeights` restores it with `pow`, so a resumed run drifts: 40 steps vs 20 + getWeights /
 * setWeights + 20 differ by up to 6e-8 on wasm, TF.js 4.22), their `getWeights` is async and
 * unnamed, and their rules differ from PyTorch's (RMSprop puts epsilon inside the square root;
 * no weight decay in Adam). Here an update rule is a pure function of (value, gradient, slots,
 * step, learning rate) written with tf ops in PyTorch's order, and the whole state is the step
 * count plus named slot tensors, so a restored optimizer continues bit for bit.
 */
export abstract class SlotOptimizer<Args extends { learningRate: number }> implements TrainingOptimizer {
  learningRate: number;
  private step = 0;
  /** Weight name → its slots, in the order weights were first updated (fixed, so saves are stable). */
  private readonly state = new Map<string, Slots>();

  constructor(
    readonly className: string,
    readonly args: Readonly<Args>,
  ) {
    this.learningRate = args.learningRate;
  }

  /** The slot names this configuration keeps for every updated weight. */
  abstract slotNames(): string[];

  /**
   * One update of one weight, inside a tidy. `slots` is empty on the weight's first update.
   * `step` counts from 1 (PyTorch's `state['step']` after its increment).
   */
  protected abstract update(value: tf.Tensor, gradient: tf.Tensor, slots: Slots, step: number, lr: number): UpdateResult;

  applyGradients(gradients: WeightGradient[]): void {
    this.step += 1;
    for (const { name, variable, gradient } of gradients) {
      const old = this.state.get(name);
      if (old) this.assertShapes(name, old, variable.shape);
      const slots = tf.tidy(() => {
        const result = this.update(variable, gradient, old ?? {}, this.step, this.learningRate);
        variable.assign(result.value);
        return result.slots;
      });
      if (old) tf.dispose(Object.values(old));
      this.state.set(name, slots);
    }
  }

  getState(): OptimizerState {
    const tensors: NamedTensor[] = [];
    for (const [weight, slots] of this.state) {
      for (const slot of this.slotNames()) tensors.push({ name: `${weight}/${slot}`, tensor: slots[slot]!.clone() });
    }
    return { step: this.step, tensors };
  }

  setState(state: OptimizerState, weights?: readonly WeightShape[]): void {
    const { slotsByWeight, issues } = this.parseState(state, weights);
    if (issues.length > 0) {
      for (const slots of slotsByWeight.values()) tf.dispose(Object.values(slots));
      throw new BundleError('E_STATE_MISMATCH', `${this.className} state does not fit: ${issues.map((i) => i.message).join('; ')}`, issues);
    }
    this.clearState();
    this.step = state.step;
    for (const [weight, slots] of slotsByWeight) this.state.set(weight, slots);
  }

  dispose(): void {
    this.clearState();
  }

  private clearState(): void {
    for (const slots of this.state.values()) tf.dispose(Object.values(slots));
    this.state.clear();
  }

  /** Groups the state's tensors by weight (as copies) and lists every misfit. */
  private parseState(state: OptimizerState, weights?: readonly WeightShape[]) {
    const issues: Issue[] = [];
    const expected = this.slotNames();
    const shapes = weights && new Map(weights.map((w) => [w.name, w.shape]));
    const slotsByWeight = new Map<string, Slots>();
    if (!Number.isSafeInteger(state.step) || state.step < 0) {
      issues.push({ pointer: '/step', keyword: 'step', message: `step must be a non-negative integer, received ${state.step}` });
    }
    state.tensors.forEach(({ name, tensor }, index) => {
      const pointer = `/tensors/${index}`;
      const cut = name.lastIndexOf('/');
      const weight = name.slice(0, cut);
      const slot = name.slice(cut + 1);
      const problem = (message: string, keyword: string) => issues.push({ pointer, keyword, message: `"${name}" ${message}` });
      if (cut <= 0 || !expected.includes(slot)) {
        return problem(`is not a slot of ${this.className} (expected "<weight>/<slot>" with slot one of ${expected.join(', ') || 'none'})`, 'slot');
      }
      if (tensor.dtype !== 'float32') return problem(`must be float32, received ${tensor.dtype}`, 'dtype');
      const modelShape = shapes?.get(weight);
      if (shapes && !modelShape) return problem('belongs to no trainable weight of the model', 'weight');
      if (modelShape && !sameShape(modelShape, tensor.shape)) {
        return problem(`must have the weight's shape [${modelShape.join(', ')}], received [${tensor.shape.join(', ')}]`, 'shape');
      }
      const slots = slotsByWeight.get(weight) ?? {};
      if (slots[slot]) return problem('appears twice', 'duplicate');
      const first = Object.values(slots)[0];
      if (first && !sameShape(first.shape, tensor.shape)) {
        return problem(`has shape [${tensor.shape.join(', ')}], unlike the other slots of "${weight}" [${first.shape.join(', ')}]`, 'shape');
      }
      slots[slot] = tensor.clone();
      slotsByWeight.set(weight, slots);
    });
    for (const [weight, slots] of slotsByWeight) {
      const missing = expected.filter((s) => !slots[s]);
      if (missing.length > 0) {
        issues.push({ pointer: '/tensors', keyword: 'required', message: `"${weight}" lacks slot(s) ${missing.join(', ')}` });
      }
    }
    return { slotsByWeight, issues };
  }

  private assertShapes(name: string, slots: Slots, shape: readonly number[]): void {
    for (const [slot, tensor] of Object.entries(slots)) {
      if (!sameShape(tensor.shape, shape)) {
        throw new BundleError(
          'E_STATE_MISMATCH',
          `${this.className} slot "${name}/${slot}" has shape [${tensor.shape.join(', ')}], but the weight has [${shape.join(', ')}]`,
          [{ pointer: '/tensors', keyword: 'shape', message: `"${name}/${slot}" does not fit its weight` }],
        );
      }
    }
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
