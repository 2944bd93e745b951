import type { Migration } from '../../src/core/architecture.js';

/** Version 2 added `shortcut`; every version-1 unit's shortcut took the unit's input. */
const shortcutInput: Migration = {
  from: 1,
  description: 'added shortcut: "input", what every unit took before',
  migrate: (args) => ({ ...args, shortcut: 'input' }),
};

export const wideResNetMigrations: readonly Migration[] = [shortcutInput];
