/**
 * Keeps what the unpickler builds a finite, bounded DAG. The memo lets a pickle reference one
 * object from many places (legitimately: a tensor tied under two names, a tuple shared by param
 * groups), and lets APPEND or SETITEM add to an object that is already inside another — which is
 * how cycles and ever-changing depths are made. Python's pickler never does the latter outside
 * recursive structures, which no checkpoint holds, so the rule here is: once a container is
 * placed inside another, it is sealed and may not change. With that, a container's depth and the
 * node count of a full walk (shared values counted each time they are reached, so that a DAG
 * built to explode exponentially is caught) are final when it is placed, and one check each time
 * keeps both under the caps. Nothing is ever copied.
 */
import { ForeignFormatError } from '../errors.js';
import { describe, ItemTuple, type Item } from './pickle-items.js';
import type { TorchLimits } from './limits.js';
import { PyDict, PyTuple, type PyValue } from './values.js';

export type Container = PyValue[] | PyDict | PyTuple | ItemTuple;

interface Shape {
  depth: number;
  nodes: number;
  /** Placed inside another container: it may no longer change. */
  sealed: boolean;
}

const LEAF: Shape = { depth: 0, nodes: 1, sealed: true };

export class ValueGraph {
  private readonly shapes = new Map<Container, Shape>();

  constructor(
    private readonly limits: Pick<TorchLimits, 'maxDepth' | 'maxValueNodes'>,
    private readonly stream: string,
  ) {}

  /** Registers a new container with its first children (none for EMPTY_LIST and the like). */
  created(container: Container, children: readonly Item[], at: number): void {
    const shape: Shape = { depth: 1, nodes: 1, sealed: false };
    this.shapes.set(container, shape);
    for (const child of children) this.grow(container, shape, child, at);
  }

  /** Records that `child` was placed in the open container `parent`, which the caller is about to change. */
  adopt(parent: Container, child: Item, op: string, at: number): void {
    this.grow(parent, this.openShape(parent, op, at), child, at);
  }

  /** Refuses a change to a container that is already inside another one. */
  assertOpen(container: Container, op: string, at: number): void {
    this.openShape(container, op, at);
  }

  /** Marks a value as placed somewhere it may no longer change (a call's arguments, a persistent id). */
  seal(item: Item): void {
    if (isContainer(item)) this.shapeOf(item).sealed = true;
  }

  private openShape(container: Container, op: string, at: number): Shape {
    const shape = this.shapeOf(container);
    if (shape.sealed) {
      throw new ForeignFormatError(
        'E_PICKLE',
        `${this.stream}: opcode ${op} at byte ${at} changes ${describe(container)} that is already inside another object; a checkpoint never does this (it is how cycles are built)`,
      );
    }
    return shape;
  }

  /** Every container the machine makes is registered; one a call returns (a Counter's dict) already is. */
  private shapeOf(container: Container): Shape {
    let shape = this.shapes.get(container);
    if (!shape) {
      shape = { depth: 1, nodes: 1, sealed: false };
      this.shapes.set(container, shape);
    }
    return shape;
  }

  private grow(parent: Container, shape: Shape, child: Item, at: number): void {
    if (child === parent) {
      throw new ForeignFormatError('E_PICKLE', `${this.stream}: ${describe(child)} is placed inside itself at byte ${at}; cycles are refused`);
    }
    let inner = LEAF;
    if (isContainer(child)) {
      inner = this.shapeOf(child);
      inner.sealed = true;
    }
    shape.depth = Math.max(shape.depth, inner.depth + 1);
    shape.nodes += inner.nodes;
    if (shape.depth > this.limits.maxDepth) {
      throw new ForeignFormatError('E_PICKLE', `${this.stream}: values nest deeper than ${this.limits.maxDepth} levels at byte ${at}`);
    }
    if (shape.nodes > this.limits.maxValueNodes) {
      throw new ForeignFormatError(
        'E_PICKLE',
        `${this.stream}: a walk of the value built at byte ${at} would visit more than ${this.limits.maxValueNodes} values (shared references counted each time)`,
      );
    }
  }
}

function isContainer(item: Item): item is Container {
  return Array.isArray(item) || item instanceof PyDict || item instanceof PyTuple || item instanceof ItemTuple;
}
