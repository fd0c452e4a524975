/**
 * What `quire exec` and `quire review` share to run one task on this machine: the task options
 * built from the resolved settings, and Ctrl-C / SIGTERM turned into a cancel (twice: quit).
 */
import {
  createModelClient,
  LOCAL_SNAPSHOT_SCOPE,
  loadSecretValues,
  type QuireEvent,
  resolveEnvironment,
  type TaskRunOptions,
} from "@quire/core";
import type { ReadableLog } from "./readable-log.js";
import type { ExecSettings } from "./settings.js";

/** Exit code of a run cancelled by a second Ctrl-C. */
const CANCELLED = 130;

export function localRunOptions(options: {
  command: string;
  settings: ExecSettings;
  prompt: string;
  env?: string;
  log: ReadableLog | null;
  onEvent: (event: QuireEvent) => void;
  signal: AbortSignal;
}): TaskRunOptions {
  const { settings, log, command } = options;
  return {
    home: settings.home,
    prompt: options.prompt,
    model: createModelClient(settings.model),
    // A model configured text-only (image_input = false) is given no images and no view_image.
    imageInput: settings.model.imageInput !== false,
    sandbox: settings.sandbox,
    container: settings.container,
    limits: settings.limits,
    contextWindow: settings.contextWindow,
    agentsMd: settings.agentsMd,
    outbound: settings.outbound,
    signal: options.signal,
    onEvent: options.onEvent,
    onModelEvent: log ? (event) => log.modelEvent(event) : undefined,
    onStarted: log ? (record) => log.started(record) : undefined,
    environmentFor: async (repoRoot: string) => {
      const environment = await resolveEnvironment({ home: settings.home, repoRoot, name: options.env });
      if (environment.network.mode === "on") {
        process.stderr.write(`${command}: WARNING: this environment gives the agent access to any public host.\n`);
      }
      const secretValues = await loadSecretValues(
        settings.home,
        environment.secrets.map((secret) => secret.name),
      );
      return { environment, secretValues, snapshotScope: LOCAL_SNAPSHOT_SCOPE };
    },
  };
}

/** Runs `run` with Ctrl-C / SIGTERM cancelling `controller` (a second one quits at once). */
export async function withInterrupts<T>(
  command: string,
  controller: AbortController,
  run: () => Promise<T>,
): Promise<T> {
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(CANCELLED);
    process.stderr.write(`\n${command}: cancelling (Ctrl-C again to quit at once)…\n`);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  try {
    return await run();
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
}
