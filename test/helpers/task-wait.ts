/** Waiting for a task through the API, as the signed-in helper user of a web server (see web-server.ts). */
import type { WebServer } from "./web-server.js";

const ACTIVE = ["queued", "preparing", "running"];

/** Polls the task until it is no longer queued, preparing or running; returns its status. */
export async function waitForTask(
  server: WebServer,
  taskId: string,
  headers: Record<string, string> = {},
  timeoutMs = 180_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const task = await server.api<{ task: { status: string } }>(`/api/tasks/${taskId}`, "GET", undefined, headers);
    if (task.status !== 200) throw new Error(`task ${taskId}: ${task.status} ${JSON.stringify(task.body)}`);
    if (!ACTIVE.includes(task.body.task.status)) return task.body.task.status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`task ${taskId} did not finish in ${timeoutMs} ms`);
}
