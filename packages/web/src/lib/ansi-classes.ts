/**
 * The server's Content-Security-Policy allows no inline styles (docs/server.md), and ansi-to-html
 * colours output with `style="…"` attributes, which the browser would refuse (and report) inside
 * HTML. Each distinct style becomes a class instead, whose rule goes into one constructed style
 * sheet through the CSSOM, which the policy does not restrict.
 */

const STYLED_SPAN = /<span style="([^"<>]*)">/g;
/** What ansi-to-html writes (colours, weight, decoration); anything else is left unstyled. */
const SAFE_STYLE = /^(?:[a-z-]+:[#\w(),. %-]+;?)+$/i;

const classes = new Map<string, string>();
let sheet: CSSStyleSheet | undefined;

/** The HTML with every `<span style="…">` turned into `<span class="ansi-N">`. */
export function ansiStylesToClasses(html: string): string {
  return html.replace(STYLED_SPAN, (_, style: string) => `<span class="${classFor(style)}">`);
}

function classFor(style: string): string {
  const known = classes.get(style);
  if (known) return known;
  const name = `ansi-${classes.size}`;
  classes.set(style, name);
  if (SAFE_STYLE.test(style)) addRule(`.${name}{${style}}`);
  return name;
}

function addRule(rule: string): void {
  if (typeof document === "undefined" || typeof CSSStyleSheet === "undefined") return;
  if (!sheet) {
    sheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }
  sheet.insertRule(rule, sheet.cssRules.length);
}
