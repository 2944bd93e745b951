/** The live viewer's pages, in navigation order (the evaluate page runs the model in the browser). */
import type { Page } from '../page.js';
import { page as compare } from './compare.js';
import { page as evaluate } from './evaluate.js';
import { page as overview } from './overview.js';
import { page as training } from './training.js';
import { page as weights } from './weights.js';

export const livePages: Page[] = [overview, training, weights, evaluate, compare];
