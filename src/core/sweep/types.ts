/**
 * The shared sweep layout: the sweep file, the runs it resolves to, and the records written
 * beside each run (run.json) and for the whole sweep (sweep.json). The local runner, the queue
 * worker and `compare` all read and write these shapes; docs/sweeps.md describes them.
 */
import type { ErrorCode } from '../errors.js';
import type { TrainConfig } from '../config.js';

/** A sweep file as written (JSON or YAML), after its schema (schemas/sweep.schema.json) passed. */
export interface SweepFile {
  $schema?: string;
  /** A config file's path (relative to the sweep file) or an inline config object. */
  base: string | Record<string, unknown>;
  /** Key path → values; every combination is a run. */
  grid?: Record<string, unknown[]>;
  /** Explicit variants (key path → value), each combined with every grid combination. */
  runs?: Record<string, unknown>[];
  /** Output folder, relative to the sweep file; default the base config's output. */
  output?: string;
}

/** One value of one axis in a run, and where the sweep file holds it. */
export interface Assignment {
  path: string;
  value: unknown;
  /** JSON pointer into the sweep file, e.g. "/grid/optimizer.args.learningRate/1" or "/runs/0/model.class". */
  pointer: string;
}

/** A run before its config is resolved: its position and the assignments applied to the base. */
export interface ExpandedRun {
  /** 0-based, in expansion order (runs entries outer, grid combinations inner, last axis fastest). */
  index: number;
  assignments: Assignment[];
}

export type RunState = 'queued' | 'running' | 'done' | 'failed';

export interface ResolvedRun {
  /** First 12 hex digits of sha256 of the resolved config's canonical JSON without `output`. */
  id: string;
  /** Key path → value, for every axis of the sweep that this run sets. */
  axes: Record<string, unknown>;
  /** The validated config; its output is the run's folder, `<sweep output>/<id>`. */
  config: TrainConfig;
}

export interface ResolvedSweep {
  /** First 12 hex digits of sha256 of the sorted run ids. */
  id: string;
  /** Absolute path of the sweep file. */
  file: string;
  /** Absolute output folder. */
  output: string;
  /** Every key path the sweep varies, grid axes first, then the runs' keys, in order of appearance. */
  axes: string[];
  runs: ResolvedRun[];
}

/** `<output>/<run id>/run.json`. */
export interface RunRecord {
  id: string;
  sweep: string;
  axes: Record<string, unknown>;
  config: TrainConfig;
  state: RunState;
  reason?: string;
  code?: ErrorCode;
  /** How many times training of this run was started. */
  attempts: number;
  /** "host:pid" of the process running (or last running) it. */
  worker?: string;
  startedAt?: string;
  finishedAt?: string;
  epochsDone: number;
  /** File name of the newest epoch bundle in the run's folder. */
  lastBundle?: string;
  best?: { epoch: number; val_accuracy: number };
  test?: { accuracy: number; loss: number };
  /** Training time summed over the run's epochs (all attempts). */
  trainSeconds?: number;
}

/** One run as `sweep.json` lists it: run.json without the sweep id. */
export type RunSummary = Omit<RunRecord, 'sweep'>;

/** `<output>/sweep.json`. */
export interface SweepIndex {
  sweep: {
    id: string;
    /** The sweep file's path relative to the output folder. */
    file: string;
    axes: string[];
    createdAt: string;
  };
  runs: RunSummary[];
}
