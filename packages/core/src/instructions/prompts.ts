import { readFileSync } from "node:fs";

export type PromptName = "code" | "ask" | "review" | "compact";

const PROMPT_NAMES: readonly PromptName[] = ["code", "ask", "review", "compact"];
const cache = new Map<PromptName, string>();

/**
 * Returns a system prompt, read from the `.md` file next to this module (the build copies
 * `src/instructions/prompts/` to `dist/instructions/prompts/`). Prompts live in Markdown so
 * they can be read and reviewed as prose; reads are cached because they never change at run time.
 */
export function loadPrompt(name: PromptName): string {
  return cachedRead(cache, name, PROMPT_NAMES, "prompt", `./prompts/${name}.md`);
}

export type ToolDescriptionName = "shell" | "apply_patch" | "update_plan" | "view_image";

const TOOL_NAMES: readonly ToolDescriptionName[] = ["shell", "apply_patch", "update_plan", "view_image"];
const toolCache = new Map<ToolDescriptionName, string>();

/**
 * A tool's description as the model reads it, from `prompts/tools/<name>.md` (sent with every
 * request: keep it short). The file's final newline is not part of it.
 */
export function loadToolDescription(name: ToolDescriptionName): string {
  return cachedRead(toolCache, name, TOOL_NAMES, "tool description", `./prompts/tools/${name}.md`).trimEnd();
}

function cachedRead<Name extends string>(
  cache: Map<Name, string>,
  name: Name,
  known: readonly Name[],
  kind: string,
  relative: string,
): string {
  // Guard against a caller passing an arbitrary string at run time (the URL would follow it).
  if (!known.includes(name)) throw new Error(`unknown ${kind} ${JSON.stringify(name)}`);
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(relative, import.meta.url), "utf8");
    cache.set(name, text);
  }
  return text;
}
