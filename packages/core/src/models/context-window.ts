/** Context window sizes (tokens) by model-name prefix; the agent loop compacts before reaching them. */
export const knownContextWindows: ReadonlyArray<readonly [prefix: string, tokens: number]> = [
  ["gpt-5", 272_000],
  ["gpt-4.1", 1_000_000],
  ["gpt-4o", 128_000],
  ["o3", 200_000],
  ["o4", 200_000],
  ["claude", 200_000],
];

/** A conservative size for models we do not know (most current open models have at least this). */
export const DEFAULT_CONTEXT_WINDOW = 128_000;

export function contextWindowFor(model: string): number {
  // Providers such as OpenRouter prefix the vendor: "openai/gpt-5", "anthropic/claude-sonnet-4".
  const name = model.toLowerCase().replace(/^.*\//, "");
  return knownContextWindows.find(([prefix]) => name.startsWith(prefix))?.[1] ?? DEFAULT_CONTEXT_WINDOW;
}
