import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  ImageError,
  type ImageInput,
  modelReadiness,
  type QuireEvent,
  resumeTask,
  startTask,
  type TaskResult,
} from "@quire/core";
import type { QuireApiClient } from "@quire/server";
import { type Command, InvalidArgumentError, Option } from "commander";
import { localRunOptions, withInterrupts } from "../exec/local-run.js";
import { addServerOption, remoteClient } from "../remote/connection.js";
import { runRemoteExec } from "../remote/remote-exec.js";
import { addRunOptions } from "../exec/run-options.js";
import { collectImages, readImageFiles } from "../exec/images.js";
import { readPrompt } from "../exec/prompt.js";
import { ReadableLog } from "../exec/readable-log.js";
import { type ExecFlags, resolveExecSettings } from "../exec/settings.js";
import { sandboxUsable } from "../exec/sandbox-check.js";
import { gitCheckout, UsageProblem, writableFile } from "../review/usage-checks.js";

/** Flags that only mean something to a server. */
const SERVER_ONLY = ["ref", "repo", "attempts", "detach", "base", "reviewOf"] as const;
const FLAG_NAMES: Record<(typeof SERVER_ONLY)[number], string> = {
  ref: "--ref",
  repo: "--repo",
  attempts: "--attempts",
  detach: "--detach",
  base: "--base",
  reviewOf: "--review-of",
};

/** Exit codes of `quire exec`: 0 completed, 1 failed, 2 a wrong command line, 130 cancelled (Ctrl-C). */
const EXIT = { completed: 0, failed: 1, usage: 2, cancelled: 130 } as const;

export function registerExec(program: Command): void {
  const command = program
    .command("exec")
    .description("Run a task headless in an isolated copy of the repository and print the result")
    .argument("[prompt]", "what to do; read from stdin when absent or '-'")
    .option("--json", "print events as JSON Lines (the shape of `codex exec --json`)")
    .option(
      "-i, --image <file>",
      "attach an image to the prompt (PNG, JPEG, WebP, GIF; repeat or comma-separate)",
      collectImages,
    )
    .addOption(
      new Option("--mode <mode>", "code changes files; ask only reads; review (on a server) reviews")
        .choices(["code", "ask", "review"])
        .default("code"),
    )
    .option("-C, --cd <dir>", "repository directory (default: the current directory)")
    .option("--resume <task>", "send the prompt as a follow-up into an existing task")
    .option("--env <name>", "use the [environments.NAME] table of config.toml")
    .option("-o, --output-last-message <file>", "also write the final message to this file")
    .option("--ref <ref>", "server: the branch, tag or commit to start from (default: this checkout's branch)")
    .option("--repo <id>", "server: the repository's id or name (default: the one registered for -C's remote)")
    .option("--attempts <n>", "server: independent attempts, best ranked first (1-4)", attemptsCount)
    .option("--detach", "server: print the task's id and return at once")
    .option("--base <ref>", "server, review mode: review --ref against this base (default: the default branch)")
    .option("--review-of <task>", "server, review mode: review the result of this task instead");
  addServerOption(command);
  addRunOptions(command).action(async (promptArg: string | undefined, flags: ExecFlags) => {
    process.exitCode = await runExec(promptArg, flags);
  });
}

/** What a review compares is said by --base or --review-of, and only a review takes them. */
function checkReviewFlags(flags: ExecFlags): void {
  const given = (["base", "reviewOf"] as const).filter((name) => flags[name] !== undefined).map((n) => FLAG_NAMES[n]);
  if (given.length === 0) return;
  if (flags.mode !== "review") throw new UsageProblem(`${given.join(" and ")} only go with --mode review`);
  if (given.length === 2)
    throw new UsageProblem("--base and --review-of cannot go together: a review is of one change");
  if (flags.reviewOf !== undefined && flags.ref !== undefined)
    throw new UsageProblem("--ref does not go with --review-of: the reviewed task's commit is used");
}

function attemptsCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 4) throw new InvalidArgumentError("expected 1 to 4");
  return count;
}

async function runExec(promptArg: string | undefined, flags: ExecFlags): Promise<number> {
  // A review's prompt is only what to pay attention to, so it may be left out.
  const prompt = (await readPrompt(promptArg)) ?? (flags.mode === "review" ? "" : null);
  if (prompt === null) {
    process.stderr.write("quire exec: no prompt given (pass it as an argument or on stdin)\n");
    return EXIT.usage;
  }
  let client: QuireApiClient | null;
  let outputFile: string | undefined;
  let images: ImageInput[];
  try {
    images = await readImageFiles(flags.image);
    checkReviewFlags(flags);
    client = await remoteClient(flags);
    if (client) {
      if (flags.outputLastMessage !== undefined) outputFile = await writableFile(flags.outputLastMessage);
      return await runRemoteExec(client, { text: prompt, images }, flags, outputFile);
    }
    const serverOnly = SERVER_ONLY.find((name) => flags[name] !== undefined);
    if (serverOnly)
      throw new UsageProblem(`${FLAG_NAMES[serverOnly]} needs a server (--server URL, QUIRE_SERVER or quire login)`);
  } catch (error) {
    process.stderr.write(`quire exec: ${(error as Error).message}\n`);
    return error instanceof UsageProblem || error instanceof ImageError ? EXIT.usage : EXIT.failed;
  }
  const { mode } = flags;
  if (mode === "review") {
    process.stderr.write("quire exec: --mode review runs on a server (--server URL)\n");
    return EXIT.usage;
  }
  return runLocalExec(prompt, images, { ...flags, mode });
}

async function runLocalExec(
  prompt: string,
  images: ImageInput[],
  flags: ExecFlags & { mode: "code" | "ask" },
): Promise<number> {
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
  if (images.length > 0 && settings.model.imageInput === false) {
    process.stderr.write(
      `quire exec: model ${settings.model.model} is configured as text-only (image_input = false): it cannot be given images\n`,
    );
    return EXIT.usage;
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
  common.images = images;
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
