import { readFile } from "node:fs/promises";
import path from "node:path";
import { applyPatch, summarizeChanges } from "@quire/core";
import type { Command } from "commander";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

/** `quire apply-patch [file]`: Codex's apply_patch format, applied with the agent's own engine and rules. */
export function registerApplyPatch(program: Command): void {
  program
    .command("apply-patch")
    .description("Apply a patch in Codex's apply_patch format (from FILE, or stdin) to a directory")
    .argument("[file]", "the patch file; stdin when absent")
    .option("-C, --cd <dir>", "the directory the patch's paths are relative to", ".")
    .action(async (file: string | undefined, flags: { cd: string }) => {
      try {
        const patch = file === undefined ? await readStdin() : await readFile(file, "utf8");
        const changes = await applyPatch(path.resolve(flags.cd), patch);
        process.stdout.write(`${summarizeChanges(changes)}\n`);
      } catch (error) {
        process.stderr.write(`quire apply-patch: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      }
    });
}
