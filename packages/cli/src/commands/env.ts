import { createHash } from "node:crypto";
import {
  checkEnvironment,
  effectiveAllowlist,
  environmentKey,
  LOCAL_SNAPSHOT_SCOPE,
  type EnvironmentCheck,
  NETWORK_PRESET_DOMAINS,
  git,
  listSecrets,
  MIN_REDACTED_LENGTH,
  quireHome,
  removeSecret,
  setSecret,
  VARIABLE_NAME,
} from "@quire/core";
import { type Command, InvalidArgumentError } from "commander";
import { existingDirectory, UsageProblem } from "../review/usage-checks.js";
import { formatVerificationChecks, verificationChecks, type VerificationChecks } from "./env-verification.js";

function secretName(value: string): string {
  if (!VARIABLE_NAME.test(value))
    throw new InvalidArgumentError("expected a name of letters, digits and _ (like API_TOKEN)");
  return value;
}

function fail(command: string, error: unknown, code = 1): void {
  process.stderr.write(`quire env ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = code;
}

export function registerEnv(program: Command): void {
  const env = program.command("env").description("Environments: check a repository's definition, manage secrets");
  env
    .command("check")
    .description("Validate the repository's .quire/environment.toml (with config overrides) and show what a task gets")
    .option("-C, --cd <dir>", "repository directory (default: the current directory)")
    .option("--name <name>", "use [environments.NAME] of config.toml")
    .option("--json", "print the result as JSON")
    .action(async (flags: { cd?: string; name?: string; json?: boolean }) => {
      let repoRoot: string;
      try {
        const dir = await existingDirectory(flags.cd ?? ".");
        // Tasks take the repository from its root, wherever inside it we are.
        repoRoot = (
          await git(["rev-parse", "--show-toplevel"], { cwd: dir }).catch(() => {
            throw new UsageProblem(`${dir} is not inside a git repository: an environment belongs to a repository`);
          })
        ).trim();
      } catch (error) {
        fail("check", error, error instanceof UsageProblem ? 2 : 1);
        return;
      }
      const check = await checkEnvironment({ home: quireHome(), repoRoot, name: flags.name });
      const valid = check.problems.length === 0;
      const verification = await verificationChecks(quireHome(), repoRoot, check.environment);
      if (flags.json) process.stdout.write(`${JSON.stringify(checkJson(repoRoot, check, verification), null, 2)}\n`);
      else if (definitionInvalid(check)) {
        // Only the errors: a summary would show defaults standing in for what the file failed to say.
        process.stdout.write(`environment of ${repoRoot}: INVALID (${check.problems.length} problem(s), below)\n`);
      } else process.stdout.write(formatCheck(repoRoot, check, verification));
      if (!valid) {
        const lines = check.problems.map((p) => `  ${p.file}: ${p.key}: ${p.message}\n`).join("");
        process.stderr.write(`quire env check: ${check.problems.length} problem(s):\n${lines}`);
      }
      process.exitCode = valid ? 0 : 1;
    });

  const secret = env
    .command("secret")
    .description("Secrets in secrets.toml in Quire's home (mode 0600), given to setup scripts only");
  secret
    .command("set")
    .description("Store a secret; the value is read from stdin, never from the command line")
    .argument("<name>", "the secret's name, like API_TOKEN", secretName)
    .action(async (name: string) => {
      try {
        const value = await readSecretValue(name);
        const ref = await setSecret(quireHome(), name, value);
        process.stdout.write(`stored ${ref.name} (version ${ref.version})\n`);
        if (value.length < MIN_REDACTED_LENGTH) {
          process.stderr.write(
            `warning: ${name} is shorter than ${MIN_REDACTED_LENGTH} characters, so it cannot be redacted from logs\n`,
          );
        }
      } catch (error) {
        fail("secret set", error);
      }
    });
  secret
    .command("rm")
    .description("Remove a secret")
    .argument("<name>", "the secret's name", secretName)
    .action(async (name: string) => {
      try {
        if (await removeSecret(quireHome(), name)) process.stdout.write(`removed ${name}\n`);
        else fail("secret rm", `no secret ${name}`);
      } catch (error) {
        fail("secret rm", error);
      }
    });
  secret
    .command("list")
    .description("List secret names and versions (never values)")
    .action(async () => {
      try {
        const secrets = await listSecrets(quireHome());
        if (secrets.length === 0) process.stdout.write("no secrets (add one with `quire env secret set NAME`)\n");
        for (const s of secrets) process.stdout.write(`${s.name}  ${s.version}\n`);
      } catch (error) {
        fail("secret list", error);
      }
    });
}

/** The snapshot cache key and what it is made of (snapshots of one key differ by commit). */
function cacheKeyInputs(repoRoot: string, check: EnvironmentCheck) {
  const { setupScript, variables, secrets } = check.environment;
  return {
    key: environmentKey({ scope: LOCAL_SNAPSHOT_SCOPE, repo: repoRoot, environment: check.environment }),
    scope: LOCAL_SNAPSHOT_SCOPE,
    repo: repoRoot,
    setupScriptSha256:
      setupScript === null ? null : createHash("sha256").update(setupScript).digest("hex").slice(0, 16),
    variables: Object.keys(variables).sort(),
    secrets: secrets.map((s) => `${s.name}@${s.version || "missing"}`),
    hostSystem: "the host's /usr and /etc (the sandbox's base)",
  };
}

/** A problem besides a secret without a value: the definition itself did not load as written. */
function definitionInvalid(check: EnvironmentCheck): boolean {
  return check.problems.length > check.missingSecrets.length;
}

function checkJson(repoRoot: string, check: EnvironmentCheck, verification: VerificationChecks) {
  return {
    repoRoot,
    valid: check.problems.length === 0,
    problems: check.problems,
    warnings: check.warnings,
    environment: check.environment,
    missingSecrets: check.missingSecrets,
    allowlist: effectiveAllowlist(check.environment.network),
    cacheKeyInputs: cacheKeyInputs(repoRoot, check),
    verification,
  };
}

/** Piped: all of stdin less one final newline. A terminal: one line, typed without echo. */
async function readSecretValue(name: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks)
      .toString("utf8")
      .replace(/\r?\n$/, "");
  }
  process.stderr.write(`value of ${name} (not shown): `);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  try {
    let value = "";
    for await (const chunk of stdin) {
      for (const char of chunk as string) {
        if (char === "\r" || char === "\n" || char === "\u0004") return value;
        if (char === "\u0003") throw new Error("cancelled");
        value = char === "\u007f" || char === "\b" ? value.slice(0, -1) : value + char;
      }
    }
    return value;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write("\n");
  }
}

const MIB = 1024 * 1024;

function seconds(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function mib(bytes: number): string {
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`;
}

function indent(text: string): string {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => `    ${line}\n`)
    .join("");
}

/** The human-readable report: every part of the environment, secrets by name only. */
function formatCheck(repoRoot: string, check: EnvironmentCheck, verification: VerificationChecks): string {
  const { environment: env } = check;
  const out: string[] = [];
  const valid = check.problems.length === 0;
  out.push(`environment of ${repoRoot}: ${valid ? "valid" : `INVALID (${check.problems.length} problem(s), below)`}\n`);
  out.push(`sources (later wins):\n${env.sources.map((s) => `  ${s}\n`).join("")}`);
  out.push(`setup script:${env.setupScript === null ? " (none)\n" : `\n${indent(env.setupScript)}`}`);
  out.push(`maintenance script:${env.maintenanceScript === null ? " (none)\n" : `\n${indent(env.maintenanceScript)}`}`);
  const variables = Object.entries(env.variables);
  out.push(
    `variables:${variables.length === 0 ? " (none)\n" : `\n${variables.map(([k, v]) => `  ${k}=${v}\n`).join("")}`}`,
  );
  out.push(`secrets (setup only, redacted from logs):${env.secrets.length === 0 ? " (none)\n" : "\n"}`);
  for (const s of env.secrets) {
    out.push(
      s.version
        ? `  ${s.name}  present (version ${s.version})\n`
        : `  ${s.name}  MISSING: quire env secret set ${s.name}\n`,
    );
  }
  const setupNet = env.setupNetwork;
  out.push(
    setupNet.mode === "public"
      ? "network (setup, maintenance): public addresses, never the host\n"
      : `network (setup, maintenance): only ${setupNet.domains.join(", ") || "(no domain)"}, never the host\n`,
  );
  const net = env.network;
  out.push(
    `network (agent phase): ${net.mode}${net.mode === "off" ? "" : `, methods: ${net.methods === "safe" ? "safe (GET, HEAD, OPTIONS)" : "all"}`}\n`,
  );
  if (net.mode === "allowlist") {
    if (net.preset) out.push(`  preset: ${NETWORK_PRESET_DOMAINS.join(", ")}\n`);
    out.push(`  domains: ${net.domains.join(", ") || "(none)"}\n`);
    out.push(`  effective allowlist: ${effectiveAllowlist(net).length} domain(s)\n`);
  }
  const l = env.limits;
  out.push("limits:\n");
  out.push(
    `  command timeout ${seconds(l.commandTimeoutMs)} (at most ${seconds(l.maxCommandTimeoutMs)}), task ${seconds(l.taskTimeoutMs)}\n`,
  );
  out.push(
    `  output ${l.outputBytes} bytes, processes ${l.maxProcesses}, memory ${mib(l.memoryBytes)}, cpu ${l.cpuSeconds} s\n`,
  );
  out.push(`  file size ${mib(l.fileSizeBytes)}, disk ${mib(l.diskBytes)}\n`);
  out.push(formatVerificationChecks(verification));
  const key = cacheKeyInputs(repoRoot, check);
  out.push(`snapshot cache: reused for ${seconds(env.cacheTtlMs)}; key ${key.key}, from:\n`);
  out.push(`  repository ${key.repo}, setup script ${key.setupScriptSha256 ?? "(none)"}\n`);
  out.push(`  variables ${key.variables.join(", ") || "(none)"}; secrets ${key.secrets.join(", ") || "(none)"}\n`);
  out.push(`  the rest of the definition above; ${key.hostSystem}; plus the commit\n`);
  out.push(`  snapshots serve only the workspace and environment that built them (here: ${key.scope.workspace})\n`);
  for (const warning of check.warnings) out.push(`warning: ${warning}\n`);
  return out.join("");
}
