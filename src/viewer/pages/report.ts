/** The report's pages: the live ones, with the evaluate page showing a precomputed evaluation. */
import type { Page } from '../page.js';
import { page as compare } from './compare.js';
import { page as evaluate } from './evaluate-view.js';
import { page as overview } from './overview.js';
import { page as training } from './training.js';
import { page as weights } from './weights.js';

export const reportPages: Page[] = [overview, training, weights, evaluate, compare];
