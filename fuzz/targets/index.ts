/** The built-in targets by name, as module URLs (a worker imports its target by URL). */
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

export const TARGETS = {
  tar: new URL(`./tar${ext}`, import.meta.url).href,
  unpickler: new URL(`./unpickler${ext}`, import.meta.url).href,
  safetensors: new URL(`./safetensors${ext}`, import.meta.url).href,
} as const;

export type TargetName = keyof typeof TARGETS;

export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];
