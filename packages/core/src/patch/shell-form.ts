/**
 * Recognising apply_patch sent through the shell tool. Models trained on Codex often run
 * `["apply_patch", "<patch>"]` or `["bash", "-lc", "apply_patch <<'EOF'\n...\nEOF"]` instead of
 * calling the apply_patch tool; Codex intercepts exactly these forms (invocation.rs) and so do we.
 * Anything else — extra commands before or after, `;`/`||`/`|` connectors, a second `cd`
 * argument — is not an apply_patch call and is left to the shell.
 */

const APPLY_PATCH_COMMANDS = new Set(["apply_patch", "applypatch"]);
const SHELLS = new Set(["bash", "zsh", "sh"]);
const SHELL_FLAGS = new Set(["-lc", "-c"]);

/** The one argument `cd` may take: a bare word, or a single- or double-quoted string without expansions. */
const CD_PATH = String.raw`(?:'([^']*)'|"([^"\\$\x60]*)"|([^\s'"\\$\x60;&|<>()]+))`;
const DELIMITER = String.raw`(?:'(\w+)'|"(\w+)"|\\?(\w+))`;
const HEREDOC_HEADER = new RegExp(
  String.raw`^(?:cd[ \t]+${CD_PATH}[ \t]*&&[ \t]*)?(?:apply_patch|applypatch)[ \t]*<<(-?)[ \t]*${DELIMITER}[ \t]*$`,
);

export interface ShellApplyPatch {
  patch: string;
  /** The directory of a leading `cd <dir> &&`, as written (relative to the command's working directory). */
  workdir?: string;
}

export function extractPatchFromShellCommand(argv: readonly string[]): ShellApplyPatch | null {
  const [command, first, second] = argv;
  if (command === undefined || first === undefined) return null;
  if (argv.length === 2 && APPLY_PATCH_COMMANDS.has(command)) return { patch: first };
  if (argv.length === 3 && second !== undefined && SHELLS.has(shellName(command)) && SHELL_FLAGS.has(first)) {
    return extractFromHeredocScript(second);
  }
  return null;
}

/** `/bin/bash` -> `bash`, `zsh.exe` -> `zsh` (Codex compares the file stem, case-insensitively). */
function shellName(command: string): string {
  const base = command.split(/[\\/]/).pop() ?? command;
  return base.replace(/\.[^.]*$/, "").toLowerCase();
}

function extractFromHeredocScript(script: string): ShellApplyPatch | null {
  const lines = script.trimStart().split("\n");
  const header = lines[0]?.match(HEREDOC_HEADER);
  if (!header) return null;
  const [, singleQuoted, doubleQuoted, bare, dash, ...delimiters] = header;
  const delimiter = delimiters.find((word) => word !== undefined);
  if (delimiter === undefined) return null;
  // `<<-` strips leading tabs from the body and from the closing line.
  const stripTabs = (line: string) => (dash === "-" ? line.replace(/^\t+/, "") : line);
  const body = lines.slice(1).map(stripTabs);
  const end = body.indexOf(delimiter);
  if (end === -1) return null;
  // Nothing may follow the heredoc: `... EOF\necho done` is a different command.
  if (body.slice(end + 1).some((line) => line.trim() !== "")) return null;
  const patch = body.slice(0, end).join("\n").replace(/\n+$/, "");
  const workdir = singleQuoted ?? doubleQuoted ?? bare;
  return workdir === undefined ? { patch } : { patch, workdir };
}
