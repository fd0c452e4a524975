/** What to tell a user whose provider needs a key that is not set: what to set, and the other choices. */
import type { ProviderName } from "./types.js";

const KEY_VARIABLES: Record<ProviderName, string> = {
  openai: "OPENAI_API_KEY",
  "openai-chat": "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
};

/** The sentence a user sees, everywhere: the server's log and stderr, the web app, the API, `quire exec`. */
export function missingKeyMessage(provider: ProviderName): string {
  const other =
    provider === "anthropic"
      ? 'for OpenAI, set OPENAI_API_KEY with provider = "openai"'
      : 'for Anthropic, set ANTHROPIC_API_KEY with provider = "anthropic"';
  return (
    `No API key for the ${provider} provider: set ${KEY_VARIABLES[provider]}. ` +
    `Or, in config.toml: ${other}; or, for a local OpenAI-compatible server such as Ollama (no key needed), ` +
    `provider = "openai-chat" with base_url (e.g. "http://127.0.0.1:11434/v1") and model.`
  );
}
