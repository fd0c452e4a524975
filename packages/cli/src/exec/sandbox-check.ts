import { findBwrap, probeBwrap, type SandboxBackendName } from "@quire/core";

/**
 * False (after saying why on stderr) when the sandbox cannot run: bwrap missing, or unable to make
 * its namespaces for this user (Ubuntu 23.10+'s AppArmor), so nothing starts whose every task
 * would fail. Warns loudly for `none`.
 */
export function sandboxUsable(sandbox: SandboxBackendName, who: string): boolean {
  const bwrap = sandbox === "bwrap" ? findBwrap() : null;
  if (sandbox === "bwrap" && !bwrap) {
    process.stderr.write(
      `${who}: bubblewrap (bwrap) is not installed, and every command of a task runs inside it.\n` +
        "  Debian/Ubuntu: sudo apt-get install bubblewrap   Fedora: sudo dnf install bubblewrap   Arch: sudo pacman -S bubblewrap\n" +
        "  Or run without isolation (unsafe): --sandbox none\n",
    );
    return false;
  }
  const unusable = bwrap ? probeBwrap(bwrap) : null;
  if (unusable) {
    process.stderr.write(`${who}: ${unusable.message}\n`);
    return false;
  }
  if (sandbox === "none") {
    process.stderr.write(
      `${who}: WARNING: --sandbox none: the agent's commands run directly on this machine, with your permissions and network.\n`,
    );
  }
  return true;
}
