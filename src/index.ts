/** archbundle's public API. Importing it registers the built-in architectures. */
import '../architectures/index.js';

export { ArchbundleError, ValidationError, RegistryError, BundleError, EnvironmentError } from './errors.js';
export type { ErrorCode, Issue } from './errors.js';
export { defineArchitecture } from './architecture.js';
export type { ArchitectureDefinition, CommonArgs, Complete, Migration } from './architecture.js';
export {
  registerArchitecture,
  listArchitectures,
  getArchitecture,
  validateArchitectureArgs,
} from './architectures.js';
export type { ArchitectureArgs } from './architectures.js';
export { Classifier, ClassifierBuilder, createModel, instantiate } from './classifier.js';
export type { NamedWeight, LayerOrBlock } from './classifier.js';
export { selectBackend, currentBackend } from './backend/select.js';
export type { BackendInfo, BackendName, BackendRequest } from './backend/select.js';
export { seedRandom } from './random.js';
