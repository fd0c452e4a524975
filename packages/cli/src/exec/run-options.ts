/** The flags that say how tasks run (model, sandbox, budgets), shared by exec, serve and worker. */
import { type Command, InvalidArgumentError, Option } from "commander";

export function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError("expected a positive integer");
  return parsed;
}

export function nonNegativeInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError("expected a whole number, 0 or more");
  return parsed;
}

export function addRunOptions(command: Command): Command {
  return command
    .addOption(new Option("--provider <name>", "model API").choices(["openai", "openai-chat", "anthropic"]))
    .option("-m, --model <name>", "model name")
    .option("--base-url <url>", "model API base URL (default OPENAI_BASE_URL / ANTHROPIC_BASE_URL)")
    .option("-p, --profile <name>", "named profile from config.toml in Quire's home")
    .addOption(
      new Option("--sandbox <backend>", "command isolation; none is unsafe").choices(["bwrap", "none", "container"]),
    )
    .option("--container-image <image>", "container image for --sandbox container (already pulled)")
    .option("--max-turns <n>", "stop after this many model turns", positiveInt)
    .option("--max-time <seconds>", "stop after this much wall time", positiveInt)
    .option("--max-tokens <n>", "stop after this many input+output tokens", positiveInt);
}
