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
  // Guard against a caller passing an arbitrary string at run time (the URL would follow it).
  if (!PROMPT_NAMES.includes(name)) throw new Error(`unknown prompt ${JSON.stringify(name)}`);
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./prompts/${name}.md`, import.meta.url), "utf8");
    cache.set(name, text);
  }
  return text;
}
