import type { TrainingFactories } from '../bundle/load-live.js';
import { createOptimizer } from './optimizers/index.js';
import { createScheduler } from './schedulers/index.js';

/** How a bundle's optimizer and scheduler classes become live objects (the registries, nothing else). */
export const trainingFactories: TrainingFactories = { createOptimizer, createScheduler };
