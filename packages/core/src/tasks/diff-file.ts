/**
 * The end of a round's diff, kept out of memory until it is needed: git's output is written to a
 * file as it comes (not gathered into one string), then read back one line at a time, redacted
 * in blocks of whole lines. In a diff every line of content carries its own prefix (`+`, `-`, ` `),
 * so a secret spanning lines never appears contiguously, and redacting blocks cut at line ends finds
 * what redacting the whole text would.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { taskDiff, type TaskDiffOptions } from "./changed-diff.js";

export async function redactedWorkspaceDiff(
  options: Omit<TaskDiffOptions, "onStdout"> & {
    /** A scratch file for git's raw output; removed before this returns. */
    scratchFile: string;
    redact: (text: string) => string;
  },
): Promise<string> {
  const { scratchFile, redact, ...diffOptions } = options;
  const out = createWriteStream(scratchFile, { mode: 0o600 });
  let failed: Error | undefined;
  out.on("error", (error) => (failed = error));
  try {
    await taskDiff({ ...diffOptions, onStdout: (chunk) => void out.write(chunk) });
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    if (failed) throw failed;
    // Redacted in blocks of whole lines (cut after a "\n": a CRLF file's "\r" stays in its line).
    const pieces: string[] = [];
    let partial = "";
    for await (const chunk of createReadStream(scratchFile, { encoding: "utf8", highWaterMark: 1024 * 1024 })) {
      const text = partial + (chunk as string);
      const end = text.lastIndexOf("\n") + 1;
      partial = text.slice(end);
      if (end > 0) pieces.push(redact(text.slice(0, end)));
    }
    if (partial !== "") pieces.push(redact(partial));
    return pieces.join("");
  } finally {
    out.destroy();
    await rm(scratchFile, { force: true });
  }
}
