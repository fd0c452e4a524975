/**
 * Light and dark themes. The app follows the system's `prefers-color-scheme` until the reader
 * picks one with the toggle; that choice is remembered in localStorage. The resolved theme is
 * set as `data-theme` on <html>, which the stylesheets key their colours on.
 */
import { useSyncExternalStore } from "react";

export type Theme = "light" | "dark";

const STORAGE_KEY = "quire.theme";
const CHANGE = "quire:theme";
const darkQuery = (): MediaQueryList => window.matchMedia("(prefers-color-scheme: dark)");

function chosenTheme(): Theme | null {
  const stored = window.localStorage.getItem(STORAGE_KEY);
  return stored === "light" || stored === "dark" ? stored : null;
}

export function currentTheme(): Theme {
  return chosenTheme() ?? (darkQuery().matches ? "dark" : "light");
}

/** Sets `data-theme` (and the native controls' colour scheme) on the document. */
export function applyTheme(): void {
  const theme = currentTheme();
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
}

export function chooseTheme(theme: Theme): void {
  window.localStorage.setItem(STORAGE_KEY, theme);
  applyTheme();
  window.dispatchEvent(new Event(CHANGE));
}

function subscribe(onChange: () => void): () => void {
  const query = darkQuery();
  const onSystemChange = (): void => {
    applyTheme();
    onChange();
  };
  query.addEventListener("change", onSystemChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    query.removeEventListener("change", onSystemChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, currentTheme);
}
