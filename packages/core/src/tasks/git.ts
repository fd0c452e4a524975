import { hostGit, type HostGitOptions } from "../host-git.js";

/**
 * Runs git on the host, hardened (host-git.ts), and returns stdout; the error names the git
 * command and what git said. Only for repositories no task has written to (see sandboxed-git.ts).
 */
export async function git(
  args: string[],
  options: { cwd: string; env?: HostGitOptions["env"]; protocols?: readonly string[] },
): Promise<string> {
  return hostGit(args, options);
}
