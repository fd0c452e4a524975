/**
 * The id in the web app's URL is a server task's; on the server's home the local task store
 * holds one task per attempt. This finds the attempt `quire diff`/`apply` should use: the best.
 */
import { existsSync } from "node:fs";

/** The best attempt of the server task `taskId` in this home's database, if there is one. */
export async function bestAttemptOfServerTask(home: string, taskId: string): Promise<string | undefined> {
  // Loaded only here: a plain `quire diff` of a local task needs no database driver.
  const { createRepos, openDatabase, rankAttempts, sqlitePath } = await import("@quire/server");
  const url = process.env.DATABASE_URL?.trim() || undefined;
  const postgres = url !== undefined && /^postgres(ql)?:\/\//i.test(url);
  // Never create a database where there is none (a laptop's home has no server).
  if (!postgres && !existsSync(sqlitePath(url, home))) return undefined;
  const database = openDatabase({ url, home, schema: process.env.QUIRE_DATABASE_SCHEMA, maxConnections: 1 });
  try {
    const repos = createRepos({ ...database, secretCipher: null });
    const task = await repos.tasks.get(taskId);
    if (!task) return undefined;
    return rankAttempts(await repos.attempts.listForTask(task.id))[0]?.id;
  } catch {
    // An unreachable or older database: the local store's own answer stands.
    return undefined;
  } finally {
    await database.close();
  }
}
