// What a sandboxed command may inherit of Quire's own environment (none and container backends).

/** Names of host variables that look like credentials; they never reach a command. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|DATABASE_URL/i;

/** The host environment without anything whose name looks like a secret. */
export function filteredEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && !SECRET_NAME.test(name)) env[name] = value;
  }
  return env;
}
