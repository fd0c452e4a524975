import type { z } from "zod";
import type { ThreadItem } from "../events.js";
import type { ImageInput } from "../models/images.js";
import type { CommandOutputKeeper } from "../sandbox/command-item.js";
import type { Sandbox } from "../sandbox/types.js";

export type { CommandOutputKeeper } from "../sandbox/command-item.js";

/** `review` reads a change (a diff applied to its base) and ends with findings: read-only like ask. */
export type TaskMode = "code" | "ask" | "review";

/** What a tool may use while it runs: the sandbox, the workspace, and the event stream. */
export interface ToolContext {
  mode: TaskMode;
  /** Absolute path of the task workspace. */
  workspace: string;
  /** Absolute directory inside the workspace that relative paths start from (default: the workspace). */
  cwd?: string;
  sandbox: Sandbox;
  /** The environment's plain variables, given to every command (never secrets). */
  env?: Record<string, string>;
  signal: AbortSignal;
  /** Default and maximum per-command timeout, and the output budget given back to the model. */
  limits: { defaultTimeoutMs: number; maxTimeoutMs: number; maxOutputBytes: number };
  /**
   * Where a command's whole output is kept when the event's copy is cut (the task's store), up to
   * `maxBytes` (the environment's `limits.output_bytes`); absent: only the event's copy is kept.
   */
  keepOutput?: CommandOutputKeeper;
  /** Allocates the next `item_N` id of the thread. */
  nextItemId(): string;
  /** Emits item.started / item.updated / item.completed. */
  emitItem(phase: "started" | "updated" | "completed", item: ThreadItem): void;
  /** Shows the model an image with its next request (view_image); absent when the model takes none. */
  attachImage?(image: ImageInput, path: string): void;
}

export interface ToolResult {
  /** Text given back to the model as the tool's output. */
  output: string;
}

export interface Tool<Schema extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: Schema;
  /** The JSON Schema the model sees, when it is not derived from `schema` (an MCP server's own). */
  parameters?: Record<string, unknown>;
  run(args: z.infer<Schema>, context: ToolContext): Promise<ToolResult>;
}
