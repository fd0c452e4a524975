import { git, modelReadiness, type QuireEvent, ReviewRangeError, reviewRange, startTask } from "@quire/core";
import type { Command } from "commander";
import { localRunOptions, withInterrupts } from "../exec/local-run.js";
import { ReadableLog } from "../exec/readable-log.js";
import { formatReview } from "../exec/review-format.js";
import { addRunOptions } from "../exec/run-options.js";
import { sandboxUsable } from "../exec/sandbox-check.js";
import { type ExecFlags, resolveExecSettings } from "../exec/settings.js";
import { gitCheckout, UsageProblem } from "../review/usage-checks.js";

type ReviewFlags = Omit<ExecFlags, "mode" | "resume" | "outputLastMessage"> & { base?: string };

/** Exit codes of `quire review`: 0 a finished review (whatever its verdict), 1 failed, 2 usage, 130 cancelled. */
const EXIT = { completed: 0, failed: 1, usage: 2, cancelled: 130 } as const;

/** Tried in order when --base is absent: the branch's upstream, then the usual default branches. */
const DEFAULT_BASES = ["@{upstream}", "origin/HEAD", "main", "master"];

export function registerReview(program: Command): void {
  const command = program
    .command("review")
    .description("Review the current branch's change against a base in an isolated, read-only copy and print findings")
    .argument("[focus]", "what the reviewer should pay attention to (optional)")
    .option("--base <ref>", "review HEAD against this branch or commit (default: the upstream, else main or master)")
    .option("-C, --cd <dir>", "repository directory (default: the current directory)")
    .option("--json", "print the review as one JSON object: {findings, overall}")
    .option("--env <name>", "use the [environments.NAME] table of config.toml");
  addRunOptions(command).action(async (focus: string | undefined, flags: ReviewFlags) => {
    process.exitCode = await runReview(focus, flags);
  });
}

async function runReview(focus: string | undefined, flags: ReviewFlags): Promise<number> {
  let repo: string;
  let base: string;
  let range: Awaited<ReturnType<typeof reviewRange>>;
  try {
    repo = await gitCheckout(flags.cd ?? ".");
    base = flags.base ?? (await defaultBase(repo));
    range = await reviewRange(repo, base, "HEAD");
    if (range.diff.trim() === "") throw new UsageProblem(`nothing to review: HEAD has no changes since ${base}`);
  } catch (error) {
    if (!(error instanceof UsageProblem || error instanceof ReviewRangeError)) throw error;
    process.stderr.write(`quire review: ${error.message}\n`);
    return EXIT.usage;
  }
  const settings = await resolveExecSettings({ ...flags, mode: "ask" });
  const model = modelReadiness(settings.model);
  if (!model.ready) {
    process.stderr.write(`quire review: ${model.message}\n`);
    return EXIT.failed;
  }
  if (!sandboxUsable(settings.sandbox, "quire review")) return EXIT.failed;

  const log = flags.json ? null : new ReadableLog(process.stderr);
  const controller = new AbortController();
  const plural = range.commits === 1 ? "" : "s";
  const common = localRunOptions({
    command: "quire review",
    settings,
    prompt: focus?.trim() || `Review the change from ${base} to HEAD`,
    env: flags.env,
    log,
    onEvent: (event: QuireEvent) => log?.event(event),
    signal: controller.signal,
  });
  const result = await withInterrupts("quire review", controller, () =>
    startTask({
      ...common,
      repo,
      mode: "review",
      revision: range.mergeBase,
      review: {
        description: `${base}...HEAD (${range.commits} commit${plural})`,
        diff: range.diff,
        ...(focus?.trim() ? { focus } : {}),
      },
    }),
  );
  log?.finished(result);
  if (result.status !== "completed" || !result.review) {
    if (flags.json) process.stderr.write(`quire review: ${result.reason ?? result.status}\n`);
    return result.status === "cancelled" ? EXIT.cancelled : EXIT.failed;
  }
  process.stdout.write(flags.json ? `${JSON.stringify(result.review)}\n` : formatReview(result.review));
  return EXIT.completed;
}

async function defaultBase(repo: string): Promise<string> {
  for (const candidate of DEFAULT_BASES) {
    const found = await git(["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`], { cwd: repo }).catch(
      () => "",
    );
    if (found.trim() !== "") return candidate;
  }
  throw new UsageProblem("no base to review against (no upstream, main or master): pass --base REF");
}
