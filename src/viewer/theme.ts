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

/** The user's pick (the toggle, or one stored earlier); null while the system's preference rules. */
let picked: Theme | null = null;

/**
 * The effective theme always stands on <html> as data-theme, so styles.css states each palette
 * once (a media query would have to repeat the dark one for the system's preference).
 */
function apply(): void {
  document.documentElement.dataset.theme = picked ?? (media.matches ? 'dark' : 'light');
}

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

/** Applies the stored choice, else the system's, and calls `changed` whenever the system's changes what is shown. */
export function initTheme(changed: () => void): void {
  picked = stored();
  apply();
  media.addEventListener('change', () => {
    if (picked) return;
    apply();
    changed();
  });
}

export function toggleTheme(): Theme {
  picked = currentTheme() === 'dark' ? 'light' : 'dark';
  apply();
  try {
    localStorage.setItem(KEY, picked);
  } catch {
    // the choice holds for this page only
  }
  return picked;
}

/** A colour custom property of the current theme. */
export function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** The series colours, in order (styles.css --series-1 … --series-6). */
export function seriesColors(): string[] {
  return [1, 2, 3, 4, 5, 6].map((i) => cssColor(`--series-${i}`));
}
