/**
 * What model calls cost, from the price table (USD per million tokens). Quire's usage follows
 * OpenAI's accounting, which every provider is normalized to (packages/core/src/models):
 * `input_tokens` includes the cached ones, and `output_tokens` includes the reasoning ones. So
 * cached input is taken out of input and priced at its own rate, and reasoning is not added
 * again: it is billed as output, which it already is. Anthropic's cache writes count as input.
 */
import type { Usage } from "@quire/core";
import { matchesGlob } from "./glob.js";
import type { ModelPrice } from "./plan-schema.js";

const PER_MILLION = 1_000_000;

/** The first row whose glob matches the model. */
export function priceFor(prices: readonly ModelPrice[], model: string): ModelPrice | undefined {
  return prices.find((price) => matchesGlob(model, price.model));
}

export function costOf(usage: Usage, price: ModelPrice): number {
  const cached = Math.min(usage.cached_input_tokens, usage.input_tokens);
  const uncached = usage.input_tokens - cached;
  return (uncached * price.input + cached * price.cachedInput + usage.output_tokens * price.output) / PER_MILLION;
}

/** The cost, or null when no row prices the model. */
export function costFor(prices: readonly ModelPrice[], model: string, usage: Usage): number | null {
  const price = priceFor(prices, model);
  return price ? costOf(usage, price) : null;
}
