/**
 * The verification gate, server side: the attempt's diff is applied to a fresh workspace of the
 * same commit and the environment's checks run there (core's verifyDiff). Its command items join
 * the attempt's event stream, so a reviewer sees exactly what ran and what it printed.
 */
import path from "node:path";
import {
  createRedactor,
  type EnvironmentForTask,
  inspectSource,
  VerificationCancelledError,
  verifyDiff,
} from "@quire/core";
import type { VerificationStatus } from "../storage/index.js";
import type { WorkerContext } from "./context.js";
import type { EventWriter } from "./event-writer.js";

export interface AttemptVerification {
  status: VerificationStatus;
  log: string;
}

export async function verifyAttemptDiff(
  ctx: WorkerContext,
  options: {
    attemptId: string;
    sourceDir: string;
    commit: string;
    environment: EnvironmentForTask;
    diff: string;
    events: EventWriter;
    signal: AbortSignal;
  },
): Promise<AttemptVerification> {
  const { settings } = ctx;
  let next = 0;
  try {
    const result = await verifyDiff({
      home: settings.home,
      workDir: path.join(settings.home, "verify", `${options.attemptId}-${Date.now().toString(36)}`),
      source: await inspectSource(options.sourceDir, options.commit),
      environment: options.environment.environment,
      snapshotScope: options.environment.snapshotScope,
      secretValues: options.environment.secretValues,
      diff: options.diff,
      sandbox: settings.sandbox,
      container: settings.container,
      agentsMd: settings.agentsMd,
      ...(settings.outbound ? { outbound: settings.outbound } : {}),
      signal: options.signal,
      emitItem: (phase, item) => options.events.push({ type: `item.${phase}`, item }),
      nextItemId: () => `verify_${next++}`,
      redact: createRedactor(options.environment.secretValues),
    });
    return { status: result.status, log: result.log };
  } catch (error) {
    if (error instanceof VerificationCancelledError) throw error;
    // The checks could not even start (the workspace could not be made): not verified, and why.
    const log = `verification could not run: ${(error as Error).message}\n`;
    options.events.push({ type: "error", message: log.trim() });
    return { status: "checks_failed", log };
  }
}
