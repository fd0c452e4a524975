/**
 * Pushing the delivery commit as a new branch. A branch that already exists on the remote is
 * never moved (not even fast-forwarded): only a branch already at this very commit is accepted,
 * which makes a retried delivery harmless.
 */
import { BranchExistsError, DeliveryError, PushError } from "./errors.js";
import { isLoopbackHost, type ForgeTarget } from "./forges-config.js";
import { gitMessage, runGit, type GitContext } from "./git-runner.js";
import type { RemoteLocation } from "./remote-url.js";

export interface PushOptions {
  /** The scratch repository holding the commit. */
  scratch: string;
  /** Where to push, as git takes it (URL or path). */
  remoteUrl: string;
  /** The remote as it may be shown (no credentials). */
  remoteDisplay: string;
  commit: string;
  branch: string;
  /** An `Authorization` header value for http(s) pushes, or undefined to push without one. */
  authorization?: string;
}

export interface PushResult {
  /** The branch was already at this commit; nothing was pushed. */
  alreadyThere: boolean;
}

/** Rejects names git would refuse or read as an option, before any work is done. */
export async function checkBranchName(branch: string, cwd: string, context: GitContext): Promise<void> {
  const result = await runGit(["check-ref-format", `refs/heads/${branch}`], { cwd }, context);
  if (result.exitCode !== 0 || branch.startsWith("-")) {
    throw new DeliveryError(`"${branch}" is not a valid branch name`);
  }
}

/**
 * The header that authenticates a push to a forge over http(s) with its token, or undefined.
 * Only for a remote on the forge's own host, and only over https (or http on this machine):
 * the token must not go to another host, nor over the network in clear.
 */
export function pushAuthorization(target: ForgeTarget | null, location: RemoteLocation | null): string | undefined {
  if (!target?.token || !location || location.host !== target.host) return undefined;
  const secure = location.scheme === "https" || (location.scheme === "http" && isLoopbackHost(location.host));
  if (!secure) return undefined;
  // The user names forges document for token authentication over https.
  const user = target.kind === "github" ? "x-access-token" : "oauth2";
  // Gitea takes the token as the password whatever the user name; "oauth2" is what its docs show.
  return `Basic ${Buffer.from(`${user}:${target.token}`).toString("base64")}`;
}

/**
 * The token travels in git's environment (GIT_CONFIG_*), not on its command line, where other
 * users could read it in the process list, nor in the URL, which git prints in its errors.
 * Redirects are refused so that the header cannot follow one to another server.
 */
export function authEnv(authorization: string | undefined): Record<string, string> {
  const env: Record<string, string> = { GIT_SSH_COMMAND: "ssh -o BatchMode=yes" };
  if (!authorization) return env;
  return {
    ...env,
    GIT_CONFIG_COUNT: "2",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: `Authorization: ${authorization}`,
    GIT_CONFIG_KEY_1: "http.followRedirects",
    GIT_CONFIG_VALUE_1: "false",
  };
}

/** The commit the remote's branch points at, or null when it has no such branch. */
export async function remoteBranch(
  options: Pick<PushOptions, "scratch" | "remoteUrl" | "remoteDisplay" | "branch" | "authorization">,
  context: GitContext,
): Promise<string | null> {
  const ref = `refs/heads/${options.branch}`;
  const run = { cwd: options.scratch, env: authEnv(options.authorization) };
  const listed = await runGit(["ls-remote", "--refs", options.remoteUrl, ref], run, context);
  if (listed.exitCode !== 0) {
    throw new PushError(options.branch, options.remoteDisplay, gitMessage(listed, context));
  }
  // ls-remote matches patterns by their tail (refs/heads/x/refs/heads/b too): keep the exact ref.
  const line = listed.stdout.split("\n").find((entry) => entry.split("\t")[1] === ref);
  return line ? line.split("\t")[0]! : null;
}

export async function pushBranch(options: PushOptions, context: GitContext): Promise<PushResult> {
  const { branch, commit, remoteDisplay } = options;
  if (options.remoteUrl.startsWith("-")) throw new DeliveryError(`"${remoteDisplay}" is not a remote URL`);
  const existing = await remoteBranch(options, context);
  if (existing === commit) return { alreadyThere: true };
  if (existing) throw new BranchExistsError(branch, remoteDisplay, existing, commit);

  const ref = `refs/heads/${branch}`;
  // The empty lease: git refuses ("stale info") if the remote advertises the branch by now, where a
  // plain push would fast-forward a branch someone created since the check above.
  const args = ["push", "--porcelain", `--force-with-lease=${ref}:`, options.remoteUrl, `${commit}:${ref}`];
  const pushed = await runGit(args, { cwd: options.scratch, env: authEnv(options.authorization) }, context);
  if (pushed.exitCode === 0) return { alreadyThere: false };
  if (/\[rejected\] \(stale info\)/.test(pushed.stdout)) {
    const now = await remoteBranch(options, context);
    if (now === commit) return { alreadyThere: true };
    if (now) throw new BranchExistsError(branch, remoteDisplay, now, commit);
  }
  // git's stderr says why in general; the porcelain line says why for this ref ("[remote rejected] (…)").
  const rejected = pushed.stdout.split("\n").filter((line) => line.startsWith("!"));
  const stderr = [pushed.stderr.trim(), ...rejected].filter(Boolean).join("\n");
  throw new PushError(branch, remoteDisplay, gitMessage({ ...pushed, stderr }, context));
}
