/**
 * The task's diff from what it changed (upper-changes.ts) rather than from every file: git (in the
 * sandbox, on Quire's own scratch repository, as for workspaceDiff) builds two small trees, the
 * base tree's entries at the changed paths and the workspace's files at those paths, and diffs
 * them. Everything else is the base tree's by construction (the snapshot, untouched), so the
 * result is the whole-tree diff, computed in time proportional to the change.
 */
import { existsSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SandboxBackendName } from "../sandbox/types.js";
import { contentGitPrelude, gitInSandbox, SandboxedGitError, workspaceDiff } from "./sandboxed-git.js";
import { changesFromUpper, type UpperChanges, type UpperLayout } from "./upper-changes.js";

export interface TaskDiffOptions {
  backend: SandboxBackendName;
  workspace: string;
  readOnlyPaths: string[];
  /** The base tree (or commit) the diff is taken against. */
  base: string;
  /** Receives the diff as it comes (the result is then not the diff). */
  onStdout?: (chunk: string) => void;
  /**
   * The overlay's layers when the workspace is one: the diff is then taken from the upper layer's
   * changes. Absent (a copied workspace, no overlayfs): the whole tree is hashed, O(repository).
   */
  overlay?: Omit<UpperLayout, "merged"> & {
    /** A folder of Quire's for the lists of paths handed to git (removed afterwards). */
    scratchDir: string;
    /** A folder of Quire's beside the snapshot, where facts about its base tree are kept. */
    cacheDir?: string;
  };
}

/** How the last diff was taken (for tests and benchmarks): "changes" or "whole tree". */
export type DiffMethod = "changes" | "whole tree";

/**
 * The workspace's diff against `base`, from the upper layer's changes when the workspace is an
 * overlay, else (or when the changes cannot be told exactly) from the whole tree.
 */
export async function taskDiff(options: TaskDiffOptions): Promise<{ diff: string; method: DiffMethod }> {
  const whole = async () => ({ diff: await workspaceDiff(options), method: "whole tree" as const });
  const { overlay } = options;
  if (!overlay) return whole();
  const changes = await changesFromUpper({ ...overlay, merged: options.workspace });
  if (!changes) return whole();
  if (changes.paths.length === 0) return { diff: "", method: "changes" };
  const gitlinks = await gitlinksOf({ ...options, cacheDir: overlay.cacheDir });
  if (changes.paths.some((changed) => gitlinks.some((link) => nested(changed, link) || nested(link, changed)))) {
    // Inside (or around) a submodule entry: git add's whole-tree rules for those are its own.
    return whole();
  }
  return changedPathsDiff(options, changes, overlay.scratchDir);
}

/** Whether `inner` is `outer` or lies below it. */
function nested(inner: Buffer, outer: Buffer): boolean {
  if (inner.length < outer.length || !inner.subarray(0, outer.length).equals(outer)) return false;
  return inner.length === outer.length || inner[outer.length] === 0x2f;
}

/** The script's status when git refused the small trees: the whole tree is diffed instead. */
const WHOLE_TREE_STATUS = 75;

const nulList = (paths: Buffer[]): Buffer => Buffer.concat(paths.flatMap((p) => [p, Buffer.from([0])]));

/**
 * The diff restricted to `changes`. Should git refuse the small trees (a path beyond a symlink
 * that replaced a directory, a nested repository among new files), the whole-tree diff is taken
 * instead, so the answer is always the whole-tree one.
 */
async function changedPathsDiff(
  options: TaskDiffOptions,
  changes: UpperChanges,
  scratchDir: string,
): Promise<{ diff: string; method: DiffMethod }> {
  await rm(scratchDir, { recursive: true, force: true });
  await mkdir(scratchDir, { recursive: true, mode: 0o700 });
  try {
    const scan = [...changes.paths, ...changes.rescan];
    await Promise.all([
      writeFile(path.join(scratchDir, "paths"), nulList(changes.paths)),
      writeFile(path.join(scratchDir, "scan"), nulList(scan)),
    ]);
    const prelude = contentGitPrelude({ writeObjectsTo: "scratch" });
    const diffFlags = "--binary --no-color --no-ext-diff --no-textconv";
    const small = [
      // The base tree's entries at the changed paths (whole subtrees for deleted directories).
      'xargs -0 -r git ls-tree -r -z --full-tree "$2" -- < "$1/scan" > "$q/base"',
      'git update-index -z --index-info < "$q/base"',
      'a="$(git write-tree)"',
      // Then the workspace's files there: tracked ones, and new ones its ignore rules let in.
      'xargs -0 -r git ls-files -z -- < "$1/paths" > "$q/update"',
      'xargs -0 -r git ls-files -z -o --exclude-standard -- < "$1/scan" >> "$q/update"',
      // A nested repository is listed as "dir/": only `git add` knows what to make of it.
      "! tr '\\0' '\\n' < \"$q/update\" | grep -q '/$'",
      'git update-index -z --add --remove --replace --stdin < "$q/update"',
      'n="$(git write-tree)"',
    ].join(" && ");
    const script =
      `${prelude} && export GIT_LITERAL_PATHSPECS=1 && ` +
      `if { ${small} ; } 2>/dev/null; then git diff ${diffFlags} "$a" "$n"; else exit ${WHOLE_TREE_STATUS}; fi`;
    const diff = await gitInSandbox({
      backend: options.backend,
      workspace: options.workspace,
      readOnlyPaths: [...options.readOnlyPaths, scratchDir],
      env: { QUIRE_GIT_OBJECT_DIRS: options.readOnlyPaths.join(":") },
      script,
      args: [scratchDir, options.base],
      privateIndex: false,
      // Read-only: an object git finds already stored (a file changed back, or rewritten the same)
      // is then written to the scratch repository, instead of git "freshening" the snapshot's
      // pack in place, which copies the whole pack into the task's upper layer.
      writable: false,
      ...(options.onStdout ? { onStdout: options.onStdout } : {}),
    }).catch(async (error: unknown) => {
      // Nothing was printed yet: the whole-tree diff is the answer instead.
      if (!(error instanceof SandboxedGitError) || error.exitCode !== WHOLE_TREE_STATUS) throw error;
      return null;
    });
    if (diff !== null) return { diff, method: "changes" };
    return { diff: await workspaceDiff(options), method: "whole tree" };
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/**
 * The submodule entries (gitlinks) of a tree, kept in `cacheDir` once known: a snapshot's base
 * tree never changes, so its tasks list the whole tree once, not once each.
 */
async function gitlinksOf(options: TaskDiffOptions & { cacheDir?: string | undefined }): Promise<Buffer[]> {
  const plain = /^[0-9a-f]{40,64}$/.test(options.base);
  const cache = plain && options.cacheDir ? path.join(options.cacheDir, `gitlinks-${options.base}`) : null;
  if (cache && existsSync(cache)) {
    // Written whole by a rename, but a cache is never trusted: anything unreadable is listed again.
    const stored = await readFile(cache, "utf8")
      .then((text) => JSON.parse(text) as unknown)
      .catch(() => null);
    if (Array.isArray(stored) && stored.every((item) => typeof item === "string"))
      return stored.map((item: string) => Buffer.from(item, "base64"));
  }
  const out = await gitInSandbox({
    backend: options.backend,
    workspace: options.workspace,
    readOnlyPaths: options.readOnlyPaths,
    writable: false,
    env: { QUIRE_GIT_OBJECT_DIRS: options.readOnlyPaths.join(":") },
    // Paths in base64: git quotes nothing then, and any byte survives the trip as text.
    script: `${contentGitPrelude({ writeObjectsTo: "scratch" })} && git ls-tree -r -z --full-tree "$1" > "$q/tree" && tr '\\0' '\\n' < "$q/tree" | { grep '^160000 ' || true; } | cut -f2- | while IFS= read -r p; do printf '%s' "$p" | base64 -w0; echo; done`,
    args: [options.base],
    privateIndex: false,
  });
  const links = out.split("\n").filter(Boolean);
  // Several tasks of one snapshot finish at once: each writes its own file and renames it into
  // place, so none ever reads another's half-written list.
  if (cache) {
    const temp = `${cache}.${process.pid}.${randomUUID()}`;
    await writeFile(temp, JSON.stringify(links))
      .then(() => rename(temp, cache))
      .catch(() => rm(temp, { force: true }));
  }
  return links.map((item) => Buffer.from(item, "base64"));
}
