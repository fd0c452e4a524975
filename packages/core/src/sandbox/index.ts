import { findBwrap, probeBwrap, SandboxUnavailableError } from "./availability.js";
import { createBwrapSandbox } from "./bwrap.js";
import { createContainerSandbox } from "./container.js";
import { createNoneSandbox } from "./none.js";
import { DEFAULT_CONTAINER, type Sandbox, type SandboxBackendName, type SandboxPolicy } from "./types.js";

export { findBwrap, probeBwrap, SandboxUnavailableError } from "./availability.js";
export { createBwrapSandbox } from "./bwrap.js";
export { containerRunArgs, createContainerSandbox } from "./container.js";
export { DEFAULT_CONTAINER, SANDBOX_HOME, SANDBOX_PATH } from "./types.js";
export { createNoneSandbox } from "./none.js";
export { SANDBOX_PROXY_PORT } from "./proxy-bridge.js";
export { DEFAULT_SANDBOX_LIMITS } from "./limits.js";
export { OutputBuffer, omittedMarker } from "./output-buffer.js";
export type * from "./types.js";

/**
 * The sandbox for a task. "bwrap" throws SandboxUnavailableError when bubblewrap is missing
 * or cannot create namespaces here (checked once per process), never falling back silently.
 */
export function createSandbox(backend: SandboxBackendName, policy: SandboxPolicy): Sandbox {
  if (backend === "none") return createNoneSandbox(policy);
  if (backend === "container") return createContainerSandbox(policy, policy.container ?? DEFAULT_CONTAINER);
  const bwrap = findBwrap();
  if (bwrap === null) throw new SandboxUnavailableError("not-installed");
  const unusable = probeBwrap(bwrap);
  if (unusable) throw unusable;
  return createBwrapSandbox(policy, bwrap);
}
