/** Words for a plan's limits and for how long until one frees up, shared by the meter and the refusals. */

const LIMIT_LABELS: Record<string, string> = {
  tasks_per_5h: "Tasks in 5 hours",
  tasks_per_week: "Tasks in 7 days",
  concurrent_tasks: "Tasks at once",
  sandbox_minutes_per_week: "Sandbox minutes in 7 days",
  max_attempts: "Attempts per task",
  models: "Models",
};

/** "Tasks in 5 hours" for `tasks_per_5h`; an unknown limit keeps its name. */
export function limitLabel(limit: string): string {
  return LIMIT_LABELS[limit] ?? limit;
}

/** What the numbers count: attempts (a best-of-3 task uses 3), tasks or minutes. */
export function limitUnit(limit: string): string {
  if (limit === "sandbox_minutes_per_week") return "minutes";
  if (limit === "concurrent_tasks") return "tasks";
  return "attempts";
}

/** "45 s", "12 min", "2 h 10 min", "3 d 4 h": a wait, rounded up to what matters at its size. */
export function formatWait(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds));
  if (total < 60) return `${total} s`;
  const minutes = Math.ceil(total / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** "Mon 2 Mar, 14:00": when, in the reader's time zone, short. */
export function formatWhen(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** Seconds from now until `iso` (never negative). */
export function secondsUntil(iso: string, now: number): number {
  return Math.max(0, (Date.parse(iso) - now) / 1000);
}
