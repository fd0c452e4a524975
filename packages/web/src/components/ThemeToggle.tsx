/** Switches between the light and dark themes; the choice outlives the tab (see lib/theme.ts). */
import { chooseTheme, useTheme } from "../lib/theme";

export function ThemeToggle() {
  const theme = useTheme();
  const next = theme === "dark" ? "light" : "dark";
  return (
    <button
      type="button"
      className="quiet icon-button theme-toggle"
      aria-label="Dark theme"
      aria-pressed={theme === "dark"}
      title={`Switch to the ${next} theme`}
      onClick={() => chooseTheme(next)}
    >
      <span aria-hidden="true">{theme === "dark" ? "☾" : "☀"}</span>
    </button>
  );
}
