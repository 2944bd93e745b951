/**
 * Light and dark: the system's preference unless the user picked one with the toggle (kept in
 * localStorage where the page may use it). Colours live in styles.css as custom properties;
 * charts read them from there, so they follow the theme too.
 */
export type Theme = 'light' | 'dark';

const KEY = 'archbundle-viewer-theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');

function stored(): Theme | null {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null; // storage refused (a file:// page in some browsers, private modes)
  }
}

export function currentTheme(): Theme {
  return (document.documentElement.dataset.theme as Theme | undefined) ?? (media.matches ? 'dark' : 'light');
}

/** Applies the stored choice and calls `changed` whenever the effective theme changes. */
export function initTheme(changed: () => void): void {
  const choice = stored();
  if (choice) document.documentElement.dataset.theme = choice;
  media.addEventListener('change', () => {
    if (!document.documentElement.dataset.theme) changed();
  });
}

export function toggleTheme(): Theme {
  const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  try {
    localStorage.setItem(KEY, next);
  } catch {
    // the choice holds for this page only
  }
  return next;
}

/** A colour custom property of the current theme. */
export function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** The series colours, in order (styles.css --series-1 … --series-6). */
export function seriesColors(): string[] {
  return [1, 2, 3, 4, 5, 6].map((i) => cssColor(`--series-${i}`));
}
