import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** State, process group and start time of a process, from /proc/PID/stat; null once it is gone. */
function readStat(pid: string): { state: string; group: string; start: string } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // Field 2 (the command name) may contain spaces and parentheses: split after its last ")".
  // What is left starts at field 3 (state); field 5 is the group, field 22 the start time.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", group: fields[2] ?? "", start: fields[19] ?? "" };
}

/** A zombie has exited; it only waits for its parent to collect its status. */
const running = (state: string): boolean => state !== "Z" && state !== "X";

/**
 * The start time of a running process, which tells it apart from a later process reusing
 * its pid; null when it is gone or a zombie.
 */
export function liveProcessStart(pid: number): string | null {
  const stat = readStat(String(pid));
  return stat && running(stat.state) ? stat.start : null;
}

/** Whether a process of group `pgid` is still running. */
function groupRunning(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false; // no member at all, not even a zombie
  }
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return false; // no /proc to look into
  }
  return pids.some((pid) => {
    const stat = readStat(pid);
    return stat !== null && stat.group === String(pgid) && running(stat.state);
  });
}

async function until(done: () => boolean, maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  // Usually done within a millisecond or two: start with short waits, back off to 5 ms.
  for (let wait = 0.5; !done() && performance.now() < deadline; wait = Math.min(wait * 2, 5)) await sleep(wait);
}

/** Resolves once the process that had `start` as its start time has ended, or after `maxMs`. */
export function processEnded(pid: number, start: string, maxMs: number): Promise<void> {
  return until(() => liveProcessStart(pid) !== start, maxMs);
}

/** Resolves once no process of the group is running any more (SIGKILL takes a moment), or after `maxMs`. */
export function processGroupEnded(pgid: number, maxMs: number): Promise<void> {
  return until(() => !groupRunning(pgid), maxMs);
}
