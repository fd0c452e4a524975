import type { z } from "zod";
import { ToolError } from "./errors.js";
import type { Tool, ToolContext, ToolResult } from "./types.js";

export interface ToolDefinition<Schema extends z.ZodType> {
  /** The name the model calls it by (Codex's names: shell, apply_patch, update_plan). */
  name: string;
  /** Checked by dispatch before the handler runs; sent to the model as JSON Schema. */
  schema: Schema;
  /** What the model reads about the tool (from `instructions/prompts/tools/<name>.md`). */
  description: string;
  /**
   * Runs one call with arguments that fit the schema. Throws ToolError for what the model should
   * be told, FatalToolError for what ends the task (tools/errors.ts).
   */
  handler(args: z.infer<Schema>, context: ToolContext): Promise<ToolResult>;
}

/**
 * Every tool is made here: its name, schema, description and handler in one place, typed
 * against each other, and a `Tool` the loop and dispatch handle alike (dispatch parses the
 * arguments with `schema` before `run` is called, which is why `run` may take them as given).
 * A ToolError becomes the call's output here; a FatalToolError reaches the loop, which ends the task.
 */
export function defineTool<Schema extends z.ZodType>(definition: ToolDefinition<Schema>): Tool {
  return {
    name: definition.name,
    description: definition.description,
    schema: definition.schema,
    async run(args, context) {
      try {
        return await definition.handler(args as z.infer<Schema>, context);
      } catch (error) {
        // The model's to act on: the message is the tool's output. Anything else propagates.
        if (error instanceof ToolError) return { output: error.message };
        throw error;
      }
    },
  };
}
