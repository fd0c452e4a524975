/** Which task and attempt the timeline shows: a cut command's whole output is fetched from there. */
import { createContext, useContext } from "react";
import { taskPath } from "../../api/client";

/** A command of the timeline: its entry key and command line (a round's end links to the ones it names). */
export interface CommandRef {
  key: string;
  command: string;
}

export const CommandOutputSource = createContext<{ taskId: string; attemptId: string } | null>(null);

/** The URL of command `itemId`'s whole output, or null outside a task's timeline. */
export function useCommandOutputUrl(itemId: string): string | null {
  const source = useContext(CommandOutputSource);
  if (!source) return null;
  const query = new URLSearchParams({ attempt: source.attemptId, download: "1" });
  return `${taskPath(source.taskId)}/commands/${encodeURIComponent(itemId)}/output?${query.toString()}`;
}
