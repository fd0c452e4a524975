import { DEFAULT_CACHE_TTL_MS, collectGarbage, quireHome } from "@quire/core";
import { type Command, InvalidArgumentError } from "commander";

const DAY_MS = 24 * 60 * 60 * 1000;

function days(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError("expected a number of days, 0 or more");
  return parsed;
}

export function registerGc(program: Command): void {
  program
    .command("gc")
    .description(
      "Remove stale environment snapshots and old task workspaces. No work is lost: records, events, conversations " +
        "and diffs are kept, and a follow-up (`quire exec --resume`, or a server's) rebuilds the workspace from the " +
        "stored diff. In a server's or worker's home this removes the workspaces its rounds left",
    )
    .option("--older-than <days>", "remove workspaces of tasks finished this many days ago", days, 7)
    .option("--dry-run", "only list what would be removed")
    .action(async (flags: { olderThan: number; dryRun?: boolean }) => {
      const report = await collectGarbage({
        home: quireHome(),
        snapshotTtlMs: DEFAULT_CACHE_TTL_MS,
        taskRetentionMs: flags.olderThan * DAY_MS,
        dryRun: flags.dryRun,
      });
      const verb = flags.dryRun ? "would remove" : "removed";
      for (const dir of report.snapshotsRemoved) process.stdout.write(`${verb} snapshot ${dir}\n`);
      for (const dir of report.workspacesRemoved) process.stdout.write(`${verb} workspace ${dir}\n`);
      process.stdout.write(
        `${verb} ${report.snapshotsRemoved.length} snapshot(s) and ${report.workspacesRemoved.length} workspace(s)\n`,
      );
    });
}
