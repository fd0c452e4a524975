import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Runs git and returns stdout; the error names the git command and what git said. */
export async function git(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  try {
    const { stdout } = await execFileAsync("git", args, {
      cwd: options.cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", ...options.env },
      maxBuffer: 512 * 1024 * 1024,
      encoding: "utf8",
    });
    return stdout;
  } catch (error) {
    const err = error as { stderr?: string; message: string };
    const said = (err.stderr ?? "").trim() || err.message;
    throw new Error(`git ${args[0]} failed: ${said}`);
  }
}
