/**
 * How a tool's failure reaches the model, typed: a ToolError is the model's to act on (a refused
 * path, a patch that does not apply) and its message is the tool's whole output; a FatalToolError
 * means the task cannot go on (the sandbox itself failed), and the loop ends the task with it.
 * Any other error is a tool's bug: the model is told `<tool> failed: <message>` and the task goes on.
 */
export class ToolError extends Error {
  override name = "ToolError";
}

export class FatalToolError extends Error {
  override name = "FatalToolError";
}
