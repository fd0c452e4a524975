// Environments: definitions, secrets and redaction (resolving one with the config: config/resolve-environment.ts).
export * from "./defaults.js";
export { type EnvironmentLayer, repositoryEnvironmentSchema, VARIABLE_NAME } from "./definition-schema.js";
export { createRedactor, MIN_REDACTED_LENGTH, redactEvent } from "./redact.js";
export {
  inspectSecrets,
  listSecrets,
  loadSecretValues,
  removeSecret,
  SECRETS_FILE_NAME,
  SecretStoreError,
  secretsFile,
  secretVersion,
  setSecret,
} from "./secrets.js";
export { NETWORK_PRESET_DOMAINS } from "./network-preset.js";
export { environmentKey } from "./snapshot.js";
export * from "./types.js";
