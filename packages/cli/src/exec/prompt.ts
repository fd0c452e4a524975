import { text } from "node:stream/consumers";

/** The prompt from the argument, or from stdin when the argument is absent or "-". */
export async function readPrompt(argument: string | undefined): Promise<string | null> {
  if (argument !== undefined && argument !== "-") return argument.trim() === "" ? null : argument;
  if (process.stdin.isTTY) return null;
  const input = (await text(process.stdin)).trim();
  return input === "" ? null : input;
}
