/**
 * Model-name globs for plans' allowlists and the price table: `*` matches any run of characters,
 * `?` one character, nothing else is special. Case-insensitive, since providers spell the same
 * model with different cases in places and an admin should not have to guess which one arrives.
 */

export function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((char) => {
      if (char === "*") return ".*";
      if (char === "?") return ".";
      return char.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${body}$`, "i");
}

export function matchesGlob(name: string, glob: string): boolean {
  return globToRegExp(glob).test(name);
}

export function matchesAnyGlob(name: string, globs: readonly string[]): boolean {
  return globs.some((glob) => matchesGlob(name, glob));
}
