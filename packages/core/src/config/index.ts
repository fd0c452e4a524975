export { CONFIG_FILE_NAME, ConfigError, loadConfig, quireHome } from "./load.js";
export { DEFAULT_MODELS, type ModelFlags, resolveModelSettings } from "./model-settings.js";
export {
  type ConfigLimits,
  type EnvironmentOverride,
  type ModelKeys,
  PROVIDER_NAMES,
  type QuireConfig,
} from "./schema.js";
export {
  type EnvironmentCheck,
  EnvironmentError,
  type EnvironmentProblem,
  type ResolveEnvironmentOptions,
  checkEnvironment,
  effectiveAllowlist,
  resolveEnvironment,
} from "./resolve-environment.js";
