/**
 * The event stream shared by `quire exec --json`, the server's SSE, storage and the web app.
 * It has the shape of `codex exec --json` (thread/turn/item events) so consumers written for
 * Codex keep working; Quire's own events (task.*) are additions with their own type names.
 */
import type { Usage } from "./models/types.js";

export type CommandStatus = "in_progress" | "completed" | "failed" | "declined";

export type ThreadItem =
  /**
   * Quire: the person's words that open a round (the prompt, then each follow-up), so the record
   * holds both sides of the conversation. `author`: who sent it, when a server knows.
   */
  | { id: string; type: "user_message"; text: string; author?: string }
  | { id: string; type: "agent_message"; text: string }
  | { id: string; type: "reasoning"; text: string }
  | {
      id: string;
      type: "command_execution";
      command: string;
      aggregated_output: string;
      exit_code: number | null;
      status: CommandStatus;
      /** Quire: wall time of the command in milliseconds, once it has ended. */
      duration_ms?: number;
      /**
       * Quire: set when `aggregated_output` keeps only the head and tail of what the command
       * printed; the whole output (up to the environment's `limits.output_bytes`) is kept with
       * the task (`quire exec`: the task's `outputs/` directory; the server: GET
       * /api/tasks/{id}/commands/{item}/output).
       */
      output_truncated?: true;
      /** Quire: bytes the command printed in all, when `output_truncated`. */
      output_bytes?: number;
    }
  | {
      id: string;
      type: "file_change";
      changes: { path: string; kind: "add" | "delete" | "update" }[];
      status: "in_progress" | "completed" | "failed";
      /** Quire: why the patch was refused, when status is "failed". */
      error?: string;
    }
  | { id: string; type: "todo_list"; items: { text: string; completed: boolean }[] }
  | { id: string; type: "error"; message: string };

export type TaskStatus = "completed" | "failed" | "cancelled";

export type QuireEvent =
  | { type: "thread.started"; thread_id: string }
  | { type: "turn.started" }
  | { type: "item.started"; item: ThreadItem }
  | { type: "item.updated"; item: ThreadItem }
  | { type: "item.completed"; item: ThreadItem }
  | { type: "turn.completed"; usage: TurnUsage }
  | { type: "turn.failed"; error: { message: string } }
  | { type: "error"; message: string }
  | {
      type: "task.completed";
      task_id: string;
      /** "interrupted" only from a server: the worker running the attempt died. */
      status: TaskStatus | "interrupted";
      final_message: string | null;
      diff: string;
      /** Server: `diff` is the head of a larger diff (see diff_bytes); GET /api/tasks/{id}/diff has it all. */
      diff_truncated?: true;
      /** Server, with diff_truncated: the whole diff's size in bytes. */
      diff_bytes?: number;
      usage: TaskUsage;
      /** Why the task stopped when it did not complete (budget, cancel, model error). */
      reason?: string;
      /** Server: the attempt this event ends; absent on the task's own final event. */
      attempt_id?: string;
      /** Server: the checks re-run on the diff in a fresh sandbox. */
      verification?: { status: VerificationStatus; log: string };
      /** Server, task's own final event: attempt ids ranked best first (verified, then smaller diff). */
      ranking?: string[];
    }
  | {
      /** Server: the task's diff was pushed as a branch (and a pull request opened). */
      type: "task.delivered";
      task_id: string;
      attempt_id: string;
      branch: string;
      commit: string;
      remote: string;
      pull_request?: { url: string; number: number; kind: "github" | "gitlab" | "gitea" };
      message: string;
    };

/** "skipped": no checks were declared or named by AGENTS.md. */
export type VerificationStatus = "verified" | "checks_failed" | "skipped";

/** Codex's turn usage plus the reasoning tokens Quire also counts. */
export interface TurnUsage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
}

export interface TaskUsage extends Usage {
  /** Model calls made (one per agent turn, plus compactions). */
  model_calls: number;
  /** Per model call, in order. */
  per_call: (Usage & { kind: "turn" | "compaction" })[];
}
