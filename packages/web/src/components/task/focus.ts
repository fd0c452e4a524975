/**
 * Citations in the agent's messages point elsewhere in the task view: `path:line` at the diff,
 * a command at its block in the timeline. The view holds one "focus" that the target reacts to;
 * the nonce makes a second click on the same citation scroll again.
 */
import { createContext, useContext } from "react";

export type Focus =
  { kind: "file"; path: string; line: number | null; nonce: number } | { kind: "command"; key: string; nonce: number };

export interface FocusControl {
  focus: Focus | null;
  focusFile(path: string, line: number | null): void;
  focusCommand(key: string): void;
}

export const FocusContext = createContext<FocusControl>({
  focus: null,
  focusFile: () => undefined,
  focusCommand: () => undefined,
});

export function useFocus(): FocusControl {
  return useContext(FocusContext);
}
