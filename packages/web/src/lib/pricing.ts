/**
 * Cost so far, when the model's price is known. Prices are US dollars per million tokens, as
 * the providers listed them; an unknown model shows tokens only rather than a guessed cost.
 */
import type { TokenUsage } from "../state/timeline";

interface Price {
  input: number;
  cachedInput: number;
  output: number;
}

/** Longest prefix wins, so "gpt-5-mini-2025-08-07" finds "gpt-5-mini" before "gpt-5". */
const PRICES: Record<string, Price> = {
  "gpt-5": { input: 1.25, cachedInput: 0.125, output: 10 },
  "gpt-5-codex": { input: 1.25, cachedInput: 0.125, output: 10 },
  "gpt-5-mini": { input: 0.25, cachedInput: 0.025, output: 2 },
  "gpt-5-nano": { input: 0.05, cachedInput: 0.005, output: 0.4 },
  "gpt-4.1": { input: 2, cachedInput: 0.5, output: 8 },
  "gpt-4.1-mini": { input: 0.4, cachedInput: 0.1, output: 1.6 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  "o4-mini": { input: 1.1, cachedInput: 0.275, output: 4.4 },
  "claude-sonnet-4": { input: 3, cachedInput: 0.3, output: 15 },
  "claude-opus-4": { input: 15, cachedInput: 1.5, output: 75 },
  "claude-haiku-4": { input: 1, cachedInput: 0.1, output: 5 },
};

function priceOf(model: string | null | undefined): Price | undefined {
  if (!model) return undefined;
  const name = model.toLowerCase();
  const match = Object.keys(PRICES)
    .filter((prefix) => name === prefix || name.startsWith(`${prefix}-`) || name.startsWith(`${prefix}.`))
    .sort((a, b) => b.length - a.length)[0];
  return match ? PRICES[match] : undefined;
}

/** Input tokens include the cached ones (both providers report them that way here). */
export function costOf(model: string | null | undefined, usage: TokenUsage): number | undefined {
  const price = priceOf(model);
  if (!price) return undefined;
  const uncached = Math.max(0, usage.input_tokens - usage.cached_input_tokens);
  const dollars =
    uncached * price.input + usage.cached_input_tokens * price.cachedInput + usage.output_tokens * price.output;
  return dollars / 1_000_000;
}
