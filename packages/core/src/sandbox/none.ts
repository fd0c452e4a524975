import { rlimitArgv } from "./limits.js";
import { createLimitEnforcer } from "./limits-run.js";
import { processGroupEnded } from "./process-exit.js";
import { filteredEnv } from "./host-env.js";
import type { Sandbox, SandboxPolicy } from "./types.js";

/** Longest wait for SIGKILLed members of the command's process group to be gone. */
const GROUP_END_MAX_MS = 2000;

/**
 * No isolation at all: the command runs as Quire's own user with its file system and network
 * (the CLI warns loudly). It still gets the working directory, time limit, output bound,
 * process-group cleanup, the resource limits and an environment without secrets. The policy is recorded, not
 * enforced: an ask-mode workspace is NOT read-only here.
 */
export function createNoneSandbox(policy: SandboxPolicy): Sandbox {
  const enforcer = createLimitEnforcer(policy);
  return {
    backend: "none",
    policy,
    cpuSeconds: () => enforcer.cpuSeconds(),
    exhausted: () => enforcer.exhausted(),
    async exec(request) {
      if (request.argv[0] === undefined) throw new Error("exec needs a command");
      // Without a user namespace RLIMIT_NPROC would count every process of Quire's user on the
      // host, so only a cgroup (when there is one) limits processes here.
      const [file, ...args] = rlimitArgv(enforcer.limits, request.argv, { processes: false }) as [string, ...string[]];
      const env = { ...filteredEnv(), ...request.env };
      // The group was killed when the command ended; return once its members are really gone.
      const untilDone = (pgid: number) => processGroupEnded(pgid, GROUP_END_MAX_MS);
      return enforcer.run({ file, args, env, cwd: request.cwd, untilDone }, request);
    },
  };
}
