export {
  type AgentsInstructions,
  type AgentsMdSource,
  DEFAULT_AGENTS_MD_MAX_BYTES,
  type LoadAgentsOptions,
  loadAgentsInstructions,
} from "./agents-md.js";
export { type EnvironmentContext, renderEnvironmentContext } from "./environment-context.js";
export { loadPrompt, type PromptName } from "./prompts.js";
