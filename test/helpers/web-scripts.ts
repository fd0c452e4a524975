/** Tool calls for the scripted model in the web app's tests. */
import type { ScriptedReply } from "@quire/testing";

type ToolCall = NonNullable<ScriptedReply["toolCalls"]>[number];

export function shellCall(command: string[], timeoutMs?: number): ToolCall {
  return { name: "shell", arguments: timeoutMs ? { command, timeout_ms: timeoutMs } : { command } };
}

/** update_plan with the first `done` steps completed and the next one in progress. */
export function planCall(steps: string[], done: number): ToolCall {
  return {
    name: "update_plan",
    arguments: {
      plan: steps.map((step, index) => ({
        step,
        status: index < done ? "completed" : index === done ? "in_progress" : "pending",
      })),
    },
  };
}

/** A slow agent: three commands a second apart, then an answer; for watching a live stream. */
export function slowScript(turn: number): ScriptedReply {
  if (turn < 3) return { toolCalls: [shellCall(["sh", "-c", `echo step ${turn + 1}; sleep 1`])] };
  return { text: "All three steps ran." };
}
