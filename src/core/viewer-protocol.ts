/**
 * What the viewer's pieces hand each other, as data: the local server's HTTP API
 * (`archbundle view`), a bundle's summary (computed in the browser, or in Node for `archbundle
 * report`), and an evaluation's results. Types only, so the server, the browser app and the report
 * writer agree without importing each other.
 */
import type { InputContract, TrainingEntry } from './bundle/entries.js';
import type { OptimizerSummary } from './bundle/optimizer-summary.js';

/** GET /api/session: what `archbundle view` was given. */
export interface ViewerSession {
  archbundleVersion: string;
  bundles: SessionBundle[];
  runs: SessionRun[];
  /** Test samples GET /api/samples serves, or null when no dataset is at hand. */
  samples: { dataset: string; count: number } | null;
}

export interface SessionBundle {
  /** Stable within a session; GET /api/bundles/<id> gives the bundle's bytes. */
  id: string;
  /** The file name. */
  name: string;
  /** The path as given or found, for display. */
  path: string;
  bytes: number;
  /** ISO 8601. */
  modified: string;
  /** The run folder it lies in (a SessionRun id), or null. */
  run: string | null;
}

/** A folder holding a run's bundles, and its metrics.jsonl when there is one. */
export interface SessionRun {
  id: string;
  folder: string;
  /** metrics.jsonl's records, in file order (empty without the file). */
  metrics: Record<string, number | null>[];
}

/** GET /api/samples?dataset=NAME&offset=O&count=N: test examples as the model's input contract describes them. */
export interface SamplesResponse {
  dataset: string;
  /** One example's [height, width, channels]. */
  shape: [number, number, number];
  labels: string[] | null;
  offset: number;
  count: number;
  /** Examples in the dataset's test split. */
  total: number;
  /** The class of each example. */
  targets: number[];
  /** count × height × width × channels 8-bit values, NHWC, base64. */
  pixels: string;
}

/** The body of every error response of the server (HTTP 4xx and 5xx). */
export interface ErrorResponse {
  error: { code: string; message: string };
}

/** Everything the overview, weights and compare pages show of one bundle. */
export interface BundleSummary {
  name: string;
  bytes: number;
  class: string;
  schemaId: string;
  schemaVersion: number;
  savedSchemaVersion: number;
  migrations: string[];
  /** Every argument with its schema's documentation; `isDefault` when it equals the schema's default. */
  args: SummaryArgument[];
  /** Elements of every stored weight, as `archbundle inspect` counts them. */
  parameters: number;
  trainableParameters: number;
  layers: SummaryLayer[];
  tensors: TensorSummary[];
  input: InputContract | null;
  optimizer: OptimizerSummary | null;
  scheduler: { class: string; args: Record<string, unknown>; state: Record<string, unknown> } | null;
  training: TrainingEntry;
  versions: { format: number; archbundle: string; tfjs: string };
  /** Every entry's size and sha256 matched the manifest (a bundle that fails is an error, never a summary). */
  checksums: { verified: true; entries: number };
}

export interface SummaryArgument {
  name: string;
  value: unknown;
  title: string | null;
  description: string | null;
  /** The schema's default, when it declares one. */
  default?: unknown;
  isDefault: boolean;
}

export interface SummaryLayer {
  name: string;
  /** TF.js's class name of the layer (Conv2D, BatchNormalization, ...). */
  type: string;
  /** Batch dimension first (null). */
  outputShape: (number | null)[];
  parameters: number;
  /** The layers feeding it, for the architecture diagram. */
  inputs: string[];
}

export interface TensorSummary {
  name: string;
  dtype: string;
  shape: number[];
  min: number;
  max: number;
  mean: number;
  std: number;
  /** L2 norm. */
  norm: number;
  /** Share of exact zeros, 0 to 1. */
  zeros: number;
  /** Equal-width bins from min to max: counts.length + 1 edges. */
  histogram: { edges: number[]; counts: number[] };
}

/** A model's results on test examples: what the evaluate page and the report show. */
export interface Evaluation {
  dataset: string;
  examples: number;
  accuracy: number;
  loss: number;
  labels: string[] | null;
  /** rows: true class, columns: predicted. */
  confusion: number[][];
  perClass: { class: number; label: string | null; examples: number; accuracy: number }[];
  /** Misclassified examples (at most a few dozen), with their images for a gallery. */
  misclassified: { index: number; target: number; top: { class: number; label: string | null; probability: number }[]; image: string /* PNG data URL */ }[];
  backend: string;
}

/**
 * How one tensor moved from a reference bundle to another: the compare page's per-tensor change.
 * Only tensors of the same name and shape in both are compared.
 */
export interface TensorChange {
  name: string;
  shape: number[];
  /** ‖a − b‖, a the other bundle's values, b the reference's. */
  distance: number;
  /** ‖a − b‖ / ‖b‖; null when the reference tensor is all zeros. */
  relative: number | null;
}

/** Per-tensor change from one bundle (the reference) to another. */
export interface BundleComparison {
  /** Indices into the bundles shown (a report's `bundles`, the viewer's open bundles). */
  reference: number;
  other: number;
  changes: TensorChange[];
  /** Tensors not compared: in one bundle only, or of different shapes. */
  unmatched: string[];
}

/** A bundle as a report embeds it: the viewer's bundle without its bytes. */
export interface ReportBundle {
  summary: BundleSummary;
  run?: SessionRun;
  evaluation?: Evaluation;
}

/**
 * What `archbundle report` embeds in `<script type="application/json" id="archbundle-report">`:
 * everything the report's pages show, computed ahead in Node.
 */
export interface ReportData {
  title: string;
  /** ISO 8601. */
  generated: string;
  bundles: ReportBundle[];
  /** Every ordered pair of bundles the compare page may show (reference, other); absent with one bundle. */
  comparisons?: BundleComparison[];
}
