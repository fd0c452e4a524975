import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  createModelClient,
  findBwrap,
  loadSecretValues,
  resolveEnvironment,
  type QuireEvent,
  resumeTask,
  type SandboxBackendName,
  startTask,
  type TaskResult,
} from "@quire/core";
import { type Command, InvalidArgumentError, Option } from "commander";
import { readPrompt } from "../exec/prompt.js";
import { ReadableLog } from "../exec/readable-log.js";
import { resolveExecSettings } from "../exec/settings.js";

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

/** Exit codes of `quire exec`: 0 completed, 1 failed, 130 cancelled (Ctrl-C). */
const EXIT = { completed: 0, failed: 1, cancelled: 130 } as const;

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError("expected a positive integer");
  return parsed;
}

export function registerExec(program: Command): void {
  program
    .command("exec")
    .description("Run a task headless in an isolated copy of the repository and print the result")
    .argument("[prompt]", "what to do; read from stdin when absent or '-'")
    .option("--json", "print events as JSON Lines (the shape of `codex exec --json`)")
    .addOption(
      new Option("--mode <mode>", "code changes files; ask only reads").choices(["code", "ask"]).default("code"),
    )
    .addOption(new Option("--provider <name>", "model API").choices(["openai", "openai-chat", "anthropic"]))
    .option("-m, --model <name>", "model name")
    .option("--base-url <url>", "model API base URL (default OPENAI_BASE_URL / ANTHROPIC_BASE_URL)")
    .option("-p, --profile <name>", "named profile from config.toml in Quire's home")
    .addOption(
      new Option("--sandbox <backend>", "command isolation; none is unsafe").choices(["bwrap", "none", "container"]),
    )
    .option("--image <image>", "container image for --sandbox container (already pulled)")
    .option("-C, --cd <dir>", "repository directory (default: the current directory)")
    .option("--resume <task>", "send the prompt as a follow-up into an existing task")
    .option("--env <name>", "use the [environments.NAME] table of config.toml")
    .option("--max-turns <n>", "stop after this many model turns", positiveInt)
    .option("--max-time <seconds>", "stop after this much wall time", positiveInt)
    .option("--max-tokens <n>", "stop after this many input+output tokens", positiveInt)
    .option("-o, --output-last-message <file>", "also write the final message to this file")
    .action(async (promptArg: string | undefined, flags: ExecFlags) => {
      process.exitCode = await runExec(promptArg, flags);
    });
}

async function runExec(promptArg: string | undefined, flags: ExecFlags): Promise<number> {
  const prompt = await readPrompt(promptArg);
  if (prompt === null) {
    process.stderr.write("quire exec: no prompt given (pass it as an argument or on stdin)\n");
    return 2;
  }
  const settings = await resolveExecSettings(flags);
  if (settings.sandbox === "bwrap" && !findBwrap()) {
    process.stderr.write(
      "quire exec: bubblewrap (bwrap) is not installed, and every command of a task runs inside it.\n" +
        "  Debian/Ubuntu: sudo apt-get install bubblewrap   Fedora: sudo dnf install bubblewrap   Arch: sudo pacman -S bubblewrap\n" +
        "  Or run without isolation (unsafe): --sandbox none\n",
    );
    return 1;
  }
  if (settings.sandbox === "none") {
    process.stderr.write(
      "quire exec: WARNING: --sandbox none: the agent's commands run directly on this machine, with your permissions and network.\n",
    );
  }

  const log = flags.json ? null : new ReadableLog(process.stderr);
  const onEvent = (event: QuireEvent): void => {
    if (flags.json) process.stdout.write(`${JSON.stringify(event)}\n`);
    else log?.event(event);
  };
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(EXIT.cancelled);
    process.stderr.write("\nquire exec: cancelling (Ctrl-C again to quit at once)…\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);

  const common = {
    home: settings.home,
    prompt,
    model: createModelClient(settings.model),
    sandbox: settings.sandbox,
    container: settings.container,
    limits: settings.limits,
    contextWindow: settings.contextWindow,
    agentsMd: settings.agentsMd,
    signal: controller.signal,
    onEvent,
    onModelEvent: log ? (event: Parameters<ReadableLog["modelEvent"]>[0]) => log.modelEvent(event) : undefined,
    onStarted: log ? (record: Parameters<ReadableLog["started"]>[0]) => log.started(record) : undefined,
    environmentFor: async (repoRoot: string) => {
      const environment = await resolveEnvironment({ home: settings.home, repoRoot, name: flags.env });
      if (environment.network.mode === "on") {
        process.stderr.write("quire exec: WARNING: this environment gives the agent unrestricted network access.\n");
      }
      const secretValues = await loadSecretValues(
        settings.home,
        environment.secrets.map((secret) => secret.name),
      );
      return { environment, secretValues };
    },
  };
  let result: TaskResult;
  try {
    result = flags.resume
      ? await resumeTask({ ...common, id: flags.resume })
      : await startTask({ ...common, repo: path.resolve(flags.cd ?? "."), mode: flags.mode });
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }

  log?.finished(result);
  if (!flags.json && result.finalMessage) process.stdout.write(`${result.finalMessage.trimEnd()}\n`);
  if (flags.outputLastMessage) await writeFile(flags.outputLastMessage, result.finalMessage ?? "");
  return EXIT[result.status];
}
