import { z } from "zod";
import type { ToolSpec } from "../models/types.js";
import type { Tool } from "../tools/types.js";

/** The JSON Schema the model sees for a tool, derived from its zod schema. */
export function toToolSpec(tool: Tool): ToolSpec {
  if (tool.parameters) return { name: tool.name, description: tool.description, parameters: tool.parameters };
  const { $schema: _dialect, ...parameters } = z.toJSONSchema(tool.schema) as Record<string, unknown>;
  return { name: tool.name, description: tool.description, parameters };
}
