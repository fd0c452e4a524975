import { constants } from "node:fs";
import { open, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { PathEscapeError, resolveInsideWorkspace } from "../paths.js";

/** Default cap on the AGENTS.md contents given to the model (Codex's `project_doc_max_bytes`). */
export const DEFAULT_AGENTS_MD_MAX_BYTES = 32 * 1024;

const OVERRIDE_NAME = "AGENTS.override.md";
const DEFAULT_NAME = "AGENTS.md";

export interface AgentsMdSource {
  /** The file as found (the caller's spelling of its directory, not the symlink target). */
  path: string;
  /** Bytes of its content included in `text` (0 when the cap was already reached). */
  bytes: number;
  /** True when part or all of the file was left out because of the cap. */
  truncated: boolean;
}

export interface AgentsInstructions {
  text: string;
  sources: AgentsMdSource[];
}

export interface LoadAgentsOptions {
  quireHome: string;
  repoRoot: string;
  cwd: string;
  /** Extra names tried after AGENTS.override.md and AGENTS.md in each project directory. */
  fallbackNames?: string[];
  /**
   * Cap on the total bytes of file contents (the global file counts first; framing does not).
   * 0 disables the project files, as in Codex; the global file is then still read, under the default cap.
   */
  maxBytes?: number;
}

interface Candidate {
  /** Where it was found, as reported in `sources`. */
  path: string;
  /** The resolved file to read. */
  real: string;
  /** The heading that tells the model what the file applies to. */
  heading: string;
}

/**
 * Loads the AGENTS.md instructions for a task, the way Codex does: the global file in Quire's
 * home, then one file per directory from the repository root down to `cwd`, root to leaf, so
 * that deeper (more specific) instructions come later. Empty files are skipped; the total is capped.
 */
export async function loadAgentsInstructions(options: LoadAgentsOptions): Promise<AgentsInstructions> {
  const maxBytes = options.maxBytes ?? DEFAULT_AGENTS_MD_MAX_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
  }
  const candidates: Candidate[] = [];
  const global = await pickFile(options.quireHome, [OVERRIDE_NAME, DEFAULT_NAME]);
  if (global)
    candidates.push({ ...global, heading: `# ${path.basename(global.path)} (global: applies to every task)` });
  if (maxBytes > 0) candidates.push(...(await projectCandidates(options)));

  const cap = maxBytes > 0 ? maxBytes : DEFAULT_AGENTS_MD_MAX_BYTES;
  let remaining = cap;
  const blocks: string[] = [];
  const sources: AgentsMdSource[] = [];
  const omitted: string[] = [];
  for (const candidate of candidates) {
    if (remaining === 0) {
      // Record what the cap left out, so neither the user (sources) nor the model (text) is misled.
      if ((await stat(candidate.real)).size > 0) {
        sources.push({ path: candidate.path, bytes: 0, truncated: true });
        omitted.push(candidate.heading.replace(/^# /, ""));
      }
      continue;
    }
    const { data, truncated } = await readCapped(candidate.real, remaining);
    const content = data.toString("utf8");
    if (content.trim() === "") continue;
    remaining -= data.length;
    sources.push({ path: candidate.path, bytes: data.length, truncated });
    const marker = truncated ? `\n[truncated: AGENTS.md instructions are limited to ${cap} bytes]` : "";
    blocks.push(`${candidate.heading}\n<INSTRUCTIONS>\n${content.trimEnd()}${marker}\n</INSTRUCTIONS>`);
  }
  if (omitted.length > 0) {
    blocks.push(`[omitted, AGENTS.md byte limit reached: ${omitted.join("; ")}]`);
  }
  return { text: blocks.join("\n\n"), sources };
}

/** The per-directory files from the repository root down to `cwd` (only the root if `cwd` is outside). */
async function projectCandidates(options: LoadAgentsOptions): Promise<Candidate[]> {
  const root = path.resolve(options.repoRoot);
  const realRoot = await realpath(root);
  const realCwd = await realpath(options.cwd).catch(() => path.resolve(options.cwd));
  const rel = path.relative(realRoot, realCwd);
  const inside = rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
  const segments = inside && rel !== "" ? rel.split(path.sep) : [];
  const names = [OVERRIDE_NAME, DEFAULT_NAME, ...validFallbacks(options.fallbackNames ?? [])];

  const found: Candidate[] = [];
  for (let depth = 0; depth <= segments.length; depth++) {
    const relDir = segments.slice(0, depth);
    const file = await pickFile(path.join(root, ...relDir), names, root);
    if (!file) continue;
    const name = path.basename(file.path);
    const heading =
      depth === 0
        ? `# ${name} (repository root: applies to the whole repository)`
        : `# ${relDir.join("/")}/${name} (applies to files under ${relDir.join("/")}/)`;
    found.push({ ...file, heading });
  }
  return found;
}

/** Fallback names must be plain file names: a name with a separator could point anywhere. */
function validFallbacks(names: string[]): string[] {
  return names.filter(
    (name) =>
      name !== "" &&
      name !== "." &&
      name !== ".." &&
      !/[\\/]/.test(name) &&
      name !== OVERRIDE_NAME &&
      name !== DEFAULT_NAME,
  );
}

/**
 * The first of `names` in `dir` that is a regular file once symlinks are followed and that
 * resolves inside `confine` (default: `dir`). A symlink leading outside counts as absent.
 */
async function pickFile(
  dir: string,
  names: string[],
  confine: string = dir,
): Promise<{ path: string; real: string } | undefined> {
  for (const name of names) {
    const file = path.join(dir, name);
    let real: string;
    try {
      real = resolveInsideWorkspace(confine, file);
      if (!(await stat(real)).isFile()) continue;
    } catch (error) {
      if (isAbsence(error)) continue;
      throw error;
    }
    return { path: file, real };
  }
  return undefined;
}

function isAbsence(error: unknown): boolean {
  if (error instanceof PathEscapeError) return true;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * Reads at most `limit` bytes, cut back to a whole UTF-8 character when the file is longer. What
 * is opened is checked again after opening, without following a link and without blocking: the
 * workspace may have swapped the file for a FIFO, a device or a link since it was looked at, and
 * then it reads as empty (skipped) instead of holding one of the server's threads.
 */
export async function readCapped(file: string, limit: number): Promise<{ data: Buffer; truncated: boolean }> {
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  const handle = await open(file, flags).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ELOOP" || isAbsence(error)) return null;
    throw error;
  });
  if (!handle) return { data: Buffer.alloc(0), truncated: false };
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { data: Buffer.alloc(0), truncated: false };
    const { size } = info;
    const buffer = Buffer.alloc(Math.min(size, limit));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const truncated = size > limit;
    const data = buffer.subarray(0, filled);
    return { data: truncated ? wholeUtf8Prefix(data) : data, truncated };
  } finally {
    await handle.close();
  }
}

/** Drops a multi-byte character cut in half at the end of `data`. */
function wholeUtf8Prefix(data: Buffer): Buffer {
  let start = data.length - 1;
  // Continuation bytes look like 10xxxxxx; a character has at most 3 of them.
  while (start > 0 && start > data.length - 4 && ((data[start] ?? 0) & 0xc0) === 0x80) start--;
  if (start < 0) return data;
  const lead = data[start] ?? 0;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + length > data.length ? data.subarray(0, start) : data;
}
