/** The exit codes of a local `quire exec`, for a task's status on a server. */
const BY_STATUS: Record<string, number> = { completed: 0, failed: 1, interrupted: 1, cancelled: 130 };

/** 0 completed, 1 failed or interrupted, 130 cancelled; a task still active (a wait that timed out): 1. */
export function exitCodeOf(status: string): number {
  return BY_STATUS[status] ?? 1;
}
