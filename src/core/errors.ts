/**
 * The few error classes archbundle throws. Each carries a stable `code` (part of the public
 * contract: tests and tools match on it) and data a caller can act on; text is for people.
 */

/** One problem found in a JSON document, located by a JSON pointer (RFC 6901). */
export interface Issue {
  /** JSON pointer into the checked document, "" for the whole document. */
  pointer: string;
  /** Short description: what was expected and what was received. */
  message: string;
  /** The schema keyword or check that failed (e.g. "type", "minimum", "depth-6n+4"). */
  keyword: string;
}

export type ErrorCode =
  // arguments and config
  | 'E_INVALID_ARGS'
  | 'E_INVALID_CONFIG'
  | 'E_CONFIG_NOT_FOUND'
  // registry
  | 'E_UNKNOWN_CLASS'
  | 'E_DUPLICATE_CLASS'
  | 'E_SCHEMA_VERSION'
  // bundle container
  | 'E_NOT_TAR'
  | 'E_TRUNCATED'
  | 'E_TRAILING_DATA'
  | 'E_ENTRY_TYPE'
  | 'E_ENTRY_PATH'
  | 'E_ENTRY_UNKNOWN'
  | 'E_ENTRY_DUPLICATE'
  | 'E_ENTRY_MISSING'
  | 'E_ENTRY_ORDER'
  | 'E_ENTRY_TOO_LARGE'
  | 'E_CHECKSUM'
  | 'E_FORMAT_VERSION'
  // bundle JSON entries
  | 'E_JSON_SYNTAX'
  | 'E_JSON_DEPTH'
  | 'E_JSON_DUPLICATE_KEY'
  | 'E_JSON_FORBIDDEN_KEY'
  | 'E_JSON_SCHEMA'
  // tensors
  | 'E_TENSOR_TABLE'
  | 'E_WEIGHTS_MISMATCH'
  | 'E_STATE_MISMATCH'
  // the input contract (input.json) against the model: labels per class, input shape
  | 'E_INPUT_MISMATCH'
  // foreign files: PyTorch checkpoints (pickle, legacy and zip containers), safetensors
  | 'E_UNSAFE_PICKLE'
  | 'E_PICKLE'
  | 'E_TORCH_FORMAT'
  | 'E_SAFETENSORS'
  // exports: a model with a layer the target format (ONNX) cannot express
  | 'E_EXPORT_UNSUPPORTED'
  // runtime
  | 'E_BACKEND'
  | 'E_DATA_NOT_FOUND'
  | 'E_DATA_INVALID'
  | 'E_IO'
  // sweeps across machines: Redis unreachable, a queue that another sweep owns
  | 'E_QUEUE'
  // training: a non-finite epoch loss (NaN or Infinity)
  | 'E_DIVERGED'
  // sweeps: an output folder or sweep index that belongs to another sweep, or is not one
  | 'E_SWEEP';

export class ArchbundleError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly Issue[];

  constructor(code: ErrorCode, message: string, issues: readonly Issue[] = [], options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.issues = issues;
  }
}

/** Arguments, configs or JSON documents that fail a schema or a constraint the schema can't express. */
export class ValidationError extends ArchbundleError {
  /** What was being validated, e.g. "SimpleNet arguments" or "config archbundle.config.json". */
  readonly subject: string;

  constructor(code: ErrorCode, subject: string, issues: readonly Issue[]) {
    super(code, `${subject} are invalid: ${formatIssues(issues)}`, issues);
    this.subject = subject;
  }
}

/** Unknown or duplicate names in the architecture, optimizer or scheduler registries. */
export class RegistryError extends ArchbundleError {}

/** A bundle that cannot be read or does not fit the model it describes. */
export class BundleError extends ArchbundleError {}

/**
 * A PyTorch checkpoint or safetensors file that cannot be read safely: a global or opcode outside
 * what a state dict needs, a malformed stream or container, storages or offsets out of range.
 */
export class ForeignFormatError extends ArchbundleError {}

/** Backends, datasets, files: the environment is not as needed. */
export class EnvironmentError extends ArchbundleError {}

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.pointer || '/'} ${i.message}`).join('; ');
}
