import { processGroupEnded } from "./process-exit.js";
import { spawnBounded } from "./spawn-bounded.js";
import type { Sandbox, SandboxPolicy } from "./types.js";

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

/** Longest wait for SIGKILLed members of the command's process group to be gone. */
const GROUP_END_MAX_MS = 2000;

/**
 * No isolation at all: the command runs as Quire's own user with its file system and network
 * (the CLI warns loudly). It still gets the working directory, time limit, output bound,
 * process-group cleanup and an environment without secrets. The policy is recorded, not
 * enforced: an ask-mode workspace is NOT read-only here.
 */
export function createNoneSandbox(policy: SandboxPolicy): Sandbox {
  return {
    backend: "none",
    policy,
    async exec(request) {
      const [file, ...args] = request.argv;
      if (file === undefined) throw new Error("exec needs a command");
      const env = { ...filteredEnv(), ...request.env };
      // The group was killed when the command ended; return once its members are really gone.
      const untilDone = (pgid: number) => processGroupEnded(pgid, GROUP_END_MAX_MS);
      return spawnBounded({ file, args, env, cwd: request.cwd, untilDone }, request);
    },
  };
}
