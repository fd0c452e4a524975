import { Command, CommanderError } from "commander";
import { registerApplyPatch } from "./commands/apply-patch.js";
import { registerEnv } from "./commands/env.js";
import { registerExec } from "./commands/exec.js";
import { registerGc } from "./commands/gc.js";
import { registerLogin } from "./commands/login.js";
import { registerMcp } from "./commands/mcp.js";
import { registerPlan } from "./commands/plan.js";
import { registerRemoteOnly } from "./commands/remote-only.js";
import { registerReview } from "./commands/review.js";
import { registerServe } from "./commands/serve.js";
import { registerTaskCommands } from "./commands/tasks.js";
import { VERSION } from "./version.js";

/** Exit code for a command line that is wrong (unknown flag, missing argument, bad value). */
export const USAGE_ERROR = 2;

export function buildProgram(): Command {
  const program = new Command("quire")
    .description("Quire: delegate coding tasks and questions to an agent that works in an isolated sandbox.")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerExec(program);
  registerReview(program);
  registerTaskCommands(program);
  registerRemoteOnly(program);
  registerLogin(program);
  registerMcp(program);
  registerApplyPatch(program);
  registerEnv(program);
  registerGc(program);
  registerServe(program);
  registerPlan(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? 0 : USAGE_ERROR;
    }
    throw error;
  }
  return typeof process.exitCode === "number" ? process.exitCode : 0;
}
