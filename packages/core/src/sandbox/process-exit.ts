import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * The kernel's start time of a running process (field 22 of /proc/PID/stat), which tells it
 * apart from a later process that reuses its pid; null when it is gone or a zombie.
 */
export function liveProcessStart(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // Field 2 (the command name) may contain spaces and parentheses: split after its last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  if (state === "Z" || state === "X") return null;
  return fields[19] ?? null;
}

/** Resolves once the process that had `start` as its start time is no longer running, or after `maxMs`. */
export async function processEnded(pid: number, start: string, maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (liveProcessStart(pid) === start && performance.now() < deadline) await sleep(5);
}
