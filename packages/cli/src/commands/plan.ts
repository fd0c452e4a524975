/** `quire plan assign WORKSPACE PLAN`: the operator gives a workspace a plan (plans.toml in Quire's home). */
import { assignWorkspacePlan } from "@quire/server";
import type { Command } from "commander";
import { quireHome } from "@quire/core";

interface PlanFlags {
  overrides?: string;
  databaseUrl?: string;
}

export function registerPlan(program: Command): void {
  const plan = program.command("plan").description("Plans of a server's workspaces (see docs/plans-and-limits.md)");
  plan
    .command("assign")
    .description("Give a workspace a plan, optionally with overrides of its entitlements (audited)")
    .argument("<workspace>", "the workspace's id (`local` in single-user mode)")
    .argument("<plan>", "a plan of plans.toml or a built-in one")
    .option("--overrides <json>", "entitlements to change, e.g. '{\"tasks_per_5h\": 100}'")
    .option("--database-url <url>", "postgres://… (default DATABASE_URL; SQLite in Quire's home when unset)")
    .action(async (workspace: string, planName: string, flags: PlanFlags) => {
      let overrides: Record<string, unknown> | null = null;
      if (flags.overrides !== undefined) {
        try {
          overrides = JSON.parse(flags.overrides) as Record<string, unknown>;
        } catch {
          process.stderr.write("quire plan assign: --overrides must be a JSON object\n");
          process.exitCode = 2;
          return;
        }
      }
      try {
        const assigned = await assignWorkspacePlan(
          {
            home: quireHome(),
            databaseUrl: flags.databaseUrl ?? process.env.DATABASE_URL,
            databaseSchema: process.env.QUIRE_DATABASE_SCHEMA,
          },
          workspace,
          planName,
          overrides as never,
        );
        process.stdout.write(`workspace ${workspace} is on the ${assigned.title} plan (${assigned.plan})\n`);
      } catch (error) {
        process.stderr.write(`quire plan assign: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
