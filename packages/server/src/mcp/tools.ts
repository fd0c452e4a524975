/**
 * Quire as an MCP server: the tools an agent or editor uses to delegate to Quire (create a task,
 * wait for it, read its status, final message and diff, follow up, deliver, list). They work
 * through the HTTP API (client/), so they see and may do exactly what the caller's credentials
 * allow, whether served at `/mcp` on `quire serve` or over stdio by `quire mcp`. Every answer is
 * bounded: texts are cut with a note saying where the rest is.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { ApiError, type QuireApiClient } from "../client/api-client.js";
import {
  createTask,
  deliverTask,
  findEnvironment,
  findRepository,
  getTask,
  isActive,
  listRepositories,
  listTasks,
  type RemoteTask,
  sendFollowUp,
  waitForTask,
} from "../client/tasks-api.js";

/** The most of a final message an answer carries. */
export const MAX_MESSAGE_CHARS = 32 * 1024;
/** The most of a diff `get_task_diff` gives (and its default). */
export const MAX_DIFF_BYTES = 512 * 1024;
const DEFAULT_DIFF_BYTES = 64 * 1024;
/** Under the 60 s an MCP client waits for an answer by default; the agent calls again if it is still running. */
const DEFAULT_WAIT_SECONDS = 50;
const MAX_WAIT_SECONDS = 600;

export interface QuireToolOptions {
  /**
   * The repository a task goes to when `repo` is not given (stdio: the one for the working
   * directory's checkout). Absent: the workspace's only repository, else `repo` is required.
   */
  defaultRepository?: () => Promise<string>;
}

const taskId = z.string().min(1).max(100).describe("The task's id (create_task or list_tasks gives it).");

export function registerQuireTools(server: McpServer, client: QuireApiClient, options: QuireToolOptions = {}): void {
  server.registerTool(
    "create_task",
    {
      title: "Create a Quire task",
      description:
        "Delegate a task to Quire's coding agent, which works in an isolated sandbox on a copy of the repository. " +
        "mode code: change the code and come back with a diff; ask: answer a question without changing anything; " +
        "review: review a change — ref against base (default: the default branch), or review_of another task's result. " +
        "Returns the task's id at once; then call wait_for_task.",
      inputSchema: {
        prompt: z.string().trim().min(1).max(100_000).describe("What to do, as you would tell a colleague."),
        mode: z.enum(["code", "ask", "review"]).default("code"),
        repo: z.string().min(1).max(200).optional().describe("A repository's id or name (list_repositories)."),
        ref: z.string().min(1).max(255).optional().describe("Branch, tag or commit (default: the default branch)."),
        attempts: z.number().int().min(1).max(4).optional().describe("Independent attempts, best ranked first."),
        environment: z.string().min(1).max(200).optional().describe("An environment's id or name."),
        base: z
          .string()
          .min(1)
          .max(255)
          .optional()
          .describe("Review mode: the branch or commit ref is reviewed against (default: the default branch)."),
        review_of: z
          .string()
          .min(1)
          .max(100)
          .optional()
          .describe("Review mode: the id of a task whose result to review."),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    (input) =>
      answer(async () => {
        const repoId = await repositoryId(client, input.repo, options);
        const repository = await findRepository(client, repoId);
        const environment = input.environment
          ? await findEnvironment(client, repository.id, input.environment)
          : undefined;
        const task = await createTask(client, {
          repo: repository.id,
          mode: input.mode,
          prompt: input.prompt,
          ...(input.attempts ? { attempts: input.attempts } : {}),
          ...(environment ? { environment } : {}),
          ...reviewTarget(input, repository.defaultBranch),
        });
        return { task_id: task.id, status: task.status, repository: repository.name, ref: task.ref };
      }),
  );

  server.registerTool(
    "wait_for_task",
    {
      title: "Wait for a Quire task",
      description:
        "Wait until the task ends (or timeout_seconds pass) and return its status and final message. " +
        "If it is still running, call again.",
      inputSchema: {
        task_id: taskId,
        timeout_seconds: z.number().int().min(1).max(MAX_WAIT_SECONDS).default(DEFAULT_WAIT_SECONDS),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input, extra) =>
      answer(async () => {
        const task = await waitForTask(client, input.task_id, {
          timeoutMs: input.timeout_seconds * 1000,
          signal: extra.signal,
        });
        return taskSummary(task);
      }),
  );

  server.registerTool(
    "get_task",
    {
      title: "Read a Quire task",
      description: "The task's status, final message, checks (verification), diff size and delivery.",
      inputSchema: { task_id: taskId },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input) => answer(async () => taskSummary(await getTask(client, input.task_id))),
  );

  server.registerTool(
    "get_task_diff",
    {
      title: "Read a Quire task's diff",
      description: "The unified diff of the task's best attempt against the commit it started from.",
      inputSchema: {
        task_id: taskId,
        max_bytes: z.number().int().min(1).max(MAX_DIFF_BYTES).default(DEFAULT_DIFF_BYTES),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input) =>
      answer(async () => {
        const diff = await client.text(`/api/tasks/${encodeURIComponent(input.task_id)}/diff`, input.max_bytes);
        return {
          task_id: input.task_id,
          diff: diff.text,
          truncated: diff.truncated,
          ...(diff.truncated
            ? { note: `cut at ${input.max_bytes} bytes of ${diff.bytes ?? "more"}; ask for more with max_bytes` }
            : {}),
        };
      }),
  );

  server.registerTool(
    "send_follow_up",
    {
      title: "Follow up on a Quire task",
      description:
        "Send a follow-up message into the task's workspace (it continues from its last state); then wait_for_task.",
      inputSchema: { task_id: taskId, text: z.string().trim().min(1).max(100_000) },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    (input) =>
      answer(async () => {
        await sendFollowUp(client, input.task_id, input.text);
        const task = await getTask(client, input.task_id);
        return { task_id: task.id, status: task.status };
      }),
  );

  server.registerTool(
    "deliver_task",
    {
      title: "Deliver a Quire task",
      description: "Push the task's diff as a commit on a branch and open a pull request where the forge allows.",
      inputSchema: {
        task_id: taskId,
        branch: z.string().min(1).max(255).optional().describe("Default: the previous delivery's, else quire/<slug>."),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    },
    (input) =>
      answer(async () => {
        const delivery = await deliverTask(client, input.task_id, input.branch ? { branch: input.branch } : {});
        return {
          task_id: input.task_id,
          branch: delivery.branch,
          commit: delivery.commit,
          pull_request: delivery.pullRequest?.url ?? null,
        };
      }),
  );

  server.registerTool(
    "list_tasks",
    {
      title: "List Quire tasks",
      description: "The workspace's tasks, newest first.",
      inputSchema: {
        status: z.string().min(1).max(100).optional().describe("queued, running, completed, failed… (comma-separated)"),
        limit: z.number().int().min(1).max(100).default(20),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input) =>
      answer(async () => {
        const tasks = await listTasks(client, { status: input.status, limit: input.limit });
        return {
          tasks: tasks.map((task) => ({
            task_id: task.id,
            status: task.status,
            mode: task.mode,
            created_at: task.createdAt,
            prompt: cut(task.prompt, 200),
            diff_stats: task.diffStats,
          })),
        };
      }),
  );

  server.registerTool(
    "list_repositories",
    {
      title: "List Quire repositories",
      description: "The repositories tasks can be created in (id, name, source, default branch).",
      inputSchema: {},
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () =>
      answer(async () => ({
        repositories: (await listRepositories(client)).slice(0, 200).map((repository) => ({
          id: repository.id,
          name: repository.name,
          source: repository.source,
          default_branch: repository.defaultBranch,
        })),
      })),
  );
}

async function repositoryId(
  client: QuireApiClient,
  named: string | undefined,
  options: QuireToolOptions,
): Promise<string> {
  if (named) return named;
  if (options.defaultRepository) return options.defaultRepository();
  const repositories = await listRepositories(client);
  if (repositories.length === 1) return repositories[0]!.id;
  throw new ApiError(
    400,
    repositories.length === 0
      ? "no repository is registered: register one in Quire first"
      : `give repo: one of ${repositories.map((r) => `${r.name} (${r.id})`).join(", ")}`.slice(0, 2000),
  );
}

function taskSummary(task: RemoteTask): Record<string, unknown> {
  return {
    task_id: task.id,
    status: task.status,
    still_running: isActive(task.status),
    mode: task.mode,
    prompt: cut(task.prompt, 500),
    final_message: task.finalMessage === null ? null : cut(task.finalMessage, MAX_MESSAGE_CHARS),
    reason: task.reason,
    verification: task.verification,
    diff_stats: task.diffStats,
    delivery: task.delivery
      ? { branch: task.delivery.branch ?? null, pull_request: pullRequestUrl(task.delivery) }
      : null,
  };
}

function pullRequestUrl(delivery: Record<string, unknown>): string | null {
  const pullRequest = delivery.pullRequest as { url?: unknown } | undefined;
  return typeof pullRequest?.url === "string" ? pullRequest.url : null;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… cut: ${text.length - max} more characters`;
}

/** A tool's result as JSON text; a refusal (the API's one line) is a tool error the model can read. */
async function answer(work: () => Promise<Record<string, unknown>>): Promise<CallToolResult> {
  try {
    const result = await work();
    return { content: [{ type: "text", text: JSON.stringify(result, null, 2) }], structuredContent: result };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { content: [{ type: "text", text: error.message }], isError: true };
  }
}

/**
 * What a task starts from: its ref, and for a review what it is compared with — another task's result
 * (`review_of`, which carries its own commit), or `ref` against `base` (the default branch when absent).
 */
function reviewTarget(
  input: { mode: "code" | "ask" | "review"; ref?: string; base?: string; review_of?: string },
  defaultBranch: string,
): { ref?: string; base?: string; reviewOf?: string } {
  if (input.mode === "review" && input.review_of) return { reviewOf: input.review_of };
  const ref = input.ref ?? defaultBranch;
  // Code and ask pass what they were given through, so the server's refusal names it.
  if (input.mode !== "review")
    return {
      ref,
      ...(input.base ? { base: input.base } : {}),
      ...(input.review_of ? { reviewOf: input.review_of } : {}),
    };
  return { ref, base: input.base ?? defaultBranch };
}
