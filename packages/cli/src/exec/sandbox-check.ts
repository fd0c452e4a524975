import { findBwrap, type SandboxBackendName } from "@quire/core";

/** False (after saying why on stderr) when the sandbox cannot run; warns loudly for `none`. */
export function sandboxUsable(sandbox: SandboxBackendName, who: string): boolean {
  if (sandbox === "bwrap" && !findBwrap()) {
    process.stderr.write(
      `${who}: bubblewrap (bwrap) is not installed, and every command of a task runs inside it.\n` +
        "  Debian/Ubuntu: sudo apt-get install bubblewrap   Fedora: sudo dnf install bubblewrap   Arch: sudo pacman -S bubblewrap\n" +
        "  Or run without isolation (unsafe): --sandbox none\n",
    );
    return false;
  }
  if (sandbox === "none") {
    process.stderr.write(
      `${who}: WARNING: --sandbox none: the agent's commands run directly on this machine, with your permissions and network.\n`,
    );
  }
  return true;
}
