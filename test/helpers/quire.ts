import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { QuireEvent } from "@quire/core";

const repoRoot = path.resolve(import.meta.dirname, "../..");
export const quireBin = path.join(repoRoot, "packages/cli/bin/quire.js");

export interface QuireRun {
  code: number | null;
  stdout: string;
  stderr: string;
  events: QuireEvent[];
}

export function tempHome(): string {
  return mkdtempSync(path.join(os.tmpdir(), "quire-home-"));
}

/** The scrubbed environment `quire` runs with in tests: this home, a plain locale, nothing else inherited but PATH. */
export function quireEnv(home: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, QUIRE_HOME: home, LANG: "C.UTF-8", ...env };
}

/** Runs the built `quire` binary as a user would, with a scrubbed environment. */
export function runQuire(
  args: string[],
  options: { cwd: string; home: string; env?: Record<string, string>; input?: string; onSpawn?: (pid: number) => void },
): Promise<QuireRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [quireBin, ...args], {
      cwd: options.cwd,
      env: quireEnv(options.home, options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    // quire may exit (a refused flag) before reading its input: its exit code says what happened.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
    child.on("close", (code) => {
      try {
        const events = args[0] === "exec" && args.includes("--json") ? parseJsonl(stdout) : [];
        resolve({ code, stdout, stderr, events });
      } catch (error) {
        reject(new Error(`stdout is not JSON Lines (${(error as Error).message}):\n${stdout}\nstderr:\n${stderr}`));
      }
    });
  });
}

export function parseJsonl(text: string): QuireEvent[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as QuireEvent);
}

/** Environment pointing a provider at the scripted model server. */
export function providerEnv(provider: "openai" | "openai-chat" | "anthropic", url: string): Record<string, string> {
  return provider === "anthropic"
    ? { ANTHROPIC_BASE_URL: url.replace(/\/v1\/?$/, ""), ANTHROPIC_API_KEY: "test-key" }
    : { OPENAI_BASE_URL: url, OPENAI_API_KEY: "test-key" };
}
