/**
 * One file of a repository as it is at a commit, read from git's objects (never from a checkout,
 * so what the agent or the user has in a working tree does not matter). For the web app's
 * citations: `path:line` in an answer opens that file at that line.
 */
import { hostGitBytes } from "@quire/core";

/** Larger files are not sent (a citation is to read a few lines, not to download a blob). */
export const MAX_FILE_BYTES = 1024 * 1024;

export type FileAtCommit =
  | { kind: "file"; size: number; binary: boolean; tooLarge: boolean; content: string }
  | { kind: "missing" }
  | { kind: "not-a-file"; type: string };

/**
 * A path inside the tree: relative, `/`-separated, without `.`, `..` or empty segments. git
 * would refuse most others anyway; this says why before asking it.
 */
export function treePathProblem(path: string): string | null {
  if (path.length === 0 || path.length > 4096) return "must be 1 to 4096 characters";
  if (path.includes("\0") || path.includes("\\")) return "must not contain NUL or backslashes";
  if (path.startsWith("/")) return "must be relative to the repository's root";
  const segments = path.split("/");
  if (segments.some((segment) => segment === "" || segment === "." || segment === ".."))
    return "must not have empty, '.' or '..' segments";
  return null;
}

export async function readFileAtCommit(repoDir: string, commit: string, path: string): Promise<FileAtCommit> {
  if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new Error(`not a commit id: ${commit}`);
  const object = `${commit}:${path}`;
  const type = await gitText(repoDir, ["cat-file", "-t", object]).catch(() => null);
  if (type === null) return { kind: "missing" };
  if (type !== "blob") return { kind: "not-a-file", type };
  const size = Number(await gitText(repoDir, ["cat-file", "-s", object]));
  if (size > MAX_FILE_BYTES) return { kind: "file", size, binary: false, tooLarge: true, content: "" };
  const bytes = await gitBytes(repoDir, ["cat-file", "blob", object], size);
  // git's own test for binary content: a NUL in the first 8000 bytes.
  const binary = bytes.subarray(0, 8000).includes(0);
  return { kind: "file", size, binary, tooLarge: false, content: binary ? "" : bytes.toString("utf8") };
}

/** The object's bytes; host git runs no hook, fsmonitor or pager the repository configures. */
function gitBytes(cwd: string, args: string[], size: number): Promise<Buffer> {
  return hostGitBytes(args, { cwd, maxOutputBytes: size + 1024 });
}

async function gitText(cwd: string, args: string[]): Promise<string> {
  return (await gitBytes(cwd, args, 64 * 1024)).toString("utf8").trim();
}
