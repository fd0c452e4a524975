/**
 * Whether the configured model can be called at all: a provider that needs a key has one. Checked
 * up front (when `quire serve` starts, before a task is queued, before `quire exec` prepares
 * anything), so a missing key is one clear sentence instead of every task failing later.
 */
import { ModelError } from "./model-error.js";
import { resolveSettings } from "./settings.js";
import type { ModelSettings, ProviderName } from "./types.js";

export { missingKeyMessage } from "./missing-key.js";

export interface ModelReadiness {
  ready: boolean;
  provider: ProviderName;
  model: string;
  /** What is missing and what to set, when not ready. */
  message: string | null;
  /** Whether the model takes images (false when configured text-only: `image_input = false`). */
  imageInput: boolean;
}

type Env = Record<string, string | undefined>;

export function modelReadiness(settings: ModelSettings, env: Env = process.env): ModelReadiness {
  const base = { provider: settings.provider, model: settings.model, imageInput: settings.imageInput !== false };
  try {
    resolveSettings(settings, env);
    return { ...base, ready: true, message: null };
  } catch (error) {
    if (error instanceof ModelError) return { ...base, ready: false, message: error.message };
    throw error;
  }
}
