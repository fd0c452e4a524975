import { findBwrap, probeBwrap, SandboxUnavailableError } from "./availability.js";
import { createBwrapSandbox } from "./bwrap.js";
import { createContainerSandbox, DEFAULT_CONTAINER } from "./container.js";
import { createNoneSandbox } from "./none.js";
import type { Sandbox, SandboxBackendName, SandboxPolicy } from "./types.js";

export { findBwrap, probeBwrap, SandboxUnavailableError } from "./availability.js";
export { createBwrapSandbox } from "./bwrap.js";
export { type ContainerOptions, containerRunArgs, createContainerSandbox, DEFAULT_CONTAINER } from "./container.js";
export { createNoneSandbox } from "./none.js";
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
