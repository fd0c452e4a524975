import { spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

const INSTALL_HINT =
  "Install bubblewrap with `apt-get install bubblewrap` (Debian, Ubuntu), `dnf install bubblewrap` (Fedora, RHEL) " +
  "or `pacman -S bubblewrap` (Arch).";
const OPT_OUT =
  "To run commands without any isolation instead, pass `--sandbox none` explicitly: this is unsafe, " +
  "the agent's commands can then read and change everything your user can, and reach the network.";
const NAMESPACE_HINT =
  "Unprivileged user namespaces are probably disabled. Enable them with `sysctl -w kernel.unprivileged_userns_clone=1` " +
  "(Debian), a non-zero `user.max_user_namespaces`, or on Ubuntu 23.10+ `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` " +
  "(or an AppArmor profile allowing bwrap). Inside a container, its seccomp profile may forbid them. bubblewrap 0.8 or newer is required.";

/** The bwrap sandbox cannot be used on this machine; the message says how to fix that. */
export class SandboxUnavailableError extends Error {
  constructor(
    readonly reason: "not-installed" | "no-namespaces",
    detail?: string,
  ) {
    const problem =
      reason === "not-installed"
        ? `Quire runs commands inside bubblewrap (bwrap), which was not found on PATH. ${INSTALL_HINT}`
        : `bwrap cannot create the namespaces Quire's sandbox needs${detail ? ` (${detail})` : ""}. ${NAMESPACE_HINT}`;
    super(`${problem}\n${OPT_OUT}`);
    this.name = "SandboxUnavailableError";
  }
}

/** The absolute path of the first executable `bwrap` on the search path, or null. */
export function findBwrap(searchPath: string = process.env.PATH ?? ""): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, "bwrap");
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not there or not executable: keep looking.
    }
  }
  return null;
}

const probed = new Map<string, SandboxUnavailableError | null>();

/**
 * Whether `bwrapPath` can create the namespaces the sandbox uses, checked once per path by
 * running `true` the same way commands will run (a mandatory user namespace, no nesting).
 */
export function probeBwrap(bwrapPath: string): SandboxUnavailableError | null {
  const known = probed.get(bwrapPath);
  if (known !== undefined) return known;
  const run = spawnSync(
    bwrapPath,
    ["--unshare-all", "--unshare-user", "--disable-userns", "--ro-bind", "/", "/", "--", "true"],
    { encoding: "utf8", env: {}, stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 },
  );
  const failure =
    run.error !== undefined
      ? run.error.message
      : run.status !== 0
        ? run.stderr.trim() || `exit status ${run.status ?? run.signal}`
        : null;
  const outcome = failure === null ? null : new SandboxUnavailableError("no-namespaces", failure);
  probed.set(bwrapPath, outcome);
  return outcome;
}
