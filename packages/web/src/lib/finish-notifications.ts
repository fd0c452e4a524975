/**
 * Browser notifications when a watched task finishes. The person asks for it on a task ("Notify
 * me"); the watch is kept in localStorage (so it holds across reloads and the task list sees it
 * too), and the first view that sees the task final shows one notification and drops the watch.
 */
import type { Task } from "@quire/protocol";
import { ACTIVE_STATUSES } from "@quire/protocol/constants";

const KEY = "quire.watched-tasks";
/** Watches kept at most: an old forgotten watch must not grow the list forever. */
const MAX_WATCHED = 50;

function readWatched(): string[] {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

function writeWatched(ids: readonly string[]): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(ids.slice(-MAX_WATCHED)));
  } catch {
    // Storage full or disabled: the watch lasts only this page's life.
  }
}

export const notificationsSupported = (): boolean => typeof window !== "undefined" && "Notification" in window;

export function isWatched(taskId: string): boolean {
  return readWatched().includes(taskId);
}

/** Asks the browser's permission once, then watches the task; false when notifications are refused. */
export async function watchTask(taskId: string): Promise<boolean> {
  if (!notificationsSupported()) return false;
  const permission =
    Notification.permission === "default" ? await Notification.requestPermission() : Notification.permission;
  if (permission !== "granted") return false;
  writeWatched([...readWatched().filter((id) => id !== taskId), taskId]);
  return true;
}

export function unwatchTask(taskId: string): void {
  writeWatched(readWatched().filter((id) => id !== taskId));
}

/** Shows the notification if `task` is watched and has finished (once: the watch goes first). */
export function notifyIfFinished(task: Pick<Task, "id" | "status" | "prompt">): void {
  if (ACTIVE_STATUSES.includes(task.status) || !isWatched(task.id)) return;
  unwatchTask(task.id);
  if (!notificationsSupported() || Notification.permission !== "granted") return;
  const title = task.prompt.split("\n").find((line) => line.trim() !== "") ?? task.id;
  const notification = new Notification(`Quire: task ${task.status}`, { body: title.slice(0, 200), tag: task.id });
  notification.onclick = () => {
    window.focus();
    window.location.assign(`/tasks/${encodeURIComponent(task.id)}`);
  };
}
