// The colour scheme: the configured theme, or the system's when it is `system`.
import type { Theme } from "../bindings/Theme";

/** The scheme to draw: `light` or `dark`. */
export function effectiveTheme(theme: Theme, systemDark: boolean): "light" | "dark" {
  if (theme === "system") return systemDark ? "dark" : "light";
  return theme;
}

/** Applies `theme` to the page (the `data-theme` attribute the stylesheet reads). */
export function applyTheme(theme: Theme): void {
  const dark = typeof window !== "undefined" && window.matchMedia?.("(prefers-color-scheme: dark)").matches;
  document.documentElement.dataset.theme = effectiveTheme(theme, dark === true);
}
