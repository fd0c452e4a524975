import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  modelReadiness,
  type QuireEvent,
  resumeTask,
  type SandboxBackendName,
  startTask,
  type TaskResult,
} from "@quire/core";
import { type Command, Option } from "commander";
import { localRunOptions, withInterrupts } from "../exec/local-run.js";
import { addRunOptions } from "../exec/run-options.js";
import { readPrompt } from "../exec/prompt.js";
import { ReadableLog } from "../exec/readable-log.js";
import { resolveExecSettings } from "../exec/settings.js";
import { sandboxUsable } from "../exec/sandbox-check.js";
import { gitCheckout, UsageProblem, writableFile } from "../review/usage-checks.js";

export interface ExecFlags {
  json?: boolean;
  mode: "code" | "ask";
  provider?: string;
  model?: string;
  baseUrl?: string;
  profile?: string;
  sandbox?: SandboxBackendName;
  image?: string;
  cd?: string;
  resume?: string;
  env?: string;
  maxTurns?: number;
  maxTime?: number;
  maxTokens?: number;
  outputLastMessage?: string;
}

/** Exit codes of `quire exec`: 0 completed, 1 failed, 2 a wrong command line, 130 cancelled (Ctrl-C). */
const EXIT = { completed: 0, failed: 1, usage: 2, cancelled: 130 } as const;

export function registerExec(program: Command): void {
  const command = program
    .command("exec")
    .description("Run a task headless in an isolated copy of the repository and print the result")
    .argument("[prompt]", "what to do; read from stdin when absent or '-'")
    .option("--json", "print events as JSON Lines (the shape of `codex exec --json`)")
    .addOption(
      new Option("--mode <mode>", "code changes files; ask only reads").choices(["code", "ask"]).default("code"),
    )
    .option("-C, --cd <dir>", "repository directory (default: the current directory)")
    .option("--resume <task>", "send the prompt as a follow-up into an existing task")
    .option("--env <name>", "use the [environments.NAME] table of config.toml")
    .option("-o, --output-last-message <file>", "also write the final message to this file");
  addRunOptions(command).action(async (promptArg: string | undefined, flags: ExecFlags) => {
    process.exitCode = await runExec(promptArg, flags);
  });
}

async function runExec(promptArg: string | undefined, flags: ExecFlags): Promise<number> {
  const prompt = await readPrompt(promptArg);
  if (prompt === null) {
    process.stderr.write("quire exec: no prompt given (pass it as an argument or on stdin)\n");
    return EXIT.usage;
  }
  // Checked before the task starts: a typo must not cost model calls or leave a failed task.
  let repo: string | undefined;
  let outputFile: string | undefined;
  try {
    if (flags.outputLastMessage !== undefined) outputFile = await writableFile(flags.outputLastMessage);
    if (!flags.resume) repo = await gitCheckout(flags.cd ?? ".");
  } catch (error) {
    if (!(error instanceof UsageProblem)) throw error;
    process.stderr.write(`quire exec: ${error.message}\n`);
    return EXIT.usage;
  }
  const settings = await resolveExecSettings(flags);
  // Before anything is prepared or recorded: a task without a usable model can only fail.
  const model = modelReadiness(settings.model);
  if (!model.ready) {
    process.stderr.write(`quire exec: ${model.message}\n`);
    return 1;
  }
  if (!sandboxUsable(settings.sandbox, "quire exec")) return 1;

  const log = flags.json ? null : new ReadableLog(process.stderr);
  const onEvent = (event: QuireEvent): void => {
    if (flags.json) process.stdout.write(`${JSON.stringify(event)}\n`);
    else log?.event(event);
  };
  const controller = new AbortController();
  const common = localRunOptions({
    command: "quire exec",
    settings,
    prompt,
    env: flags.env,
    log,
    onEvent,
    signal: controller.signal,
  });
  const result: TaskResult = await withInterrupts("quire exec", controller, () =>
    flags.resume
      ? resumeTask({ ...common, id: flags.resume })
      : startTask({ ...common, repo: repo ?? path.resolve(flags.cd ?? "."), mode: flags.mode }),
  );

  log?.finished(result);
  if (!flags.json && result.finalMessage) process.stdout.write(`${result.finalMessage.trimEnd()}\n`);
  if (outputFile) await writeFile(outputFile, result.finalMessage ?? "");
  return EXIT[result.status];
}
