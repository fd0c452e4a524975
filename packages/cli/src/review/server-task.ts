/**
 * On a server's machine, `quire diff`/`apply` also take the id in the web app's URL (a server
 * task: its best attempt) or an attempt's id. The server keeps its tasks in its database (not in
 * the home's local task store), so the diff is read from there, whole (a big one is a blob).
 */
import { existsSync } from "node:fs";

/** The diff of server task `id`'s best attempt, or of attempt `id`, in this home's database. */
export async function serverTaskDiff(home: string, id: string): Promise<{ id: string; diff: string } | undefined> {
  // Loaded only here: a plain `quire diff` of a local task needs no database driver.
  const { createRepos, openDatabase, rankAttempts, sqlitePath, wholeDiffOf } = await import("@quire/server");
  const url = process.env.DATABASE_URL?.trim() || undefined;
  const postgres = url !== undefined && /^postgres(ql)?:\/\//i.test(url);
  // Never create a database where there is none (a laptop's home has no server).
  if (!postgres && !existsSync(sqlitePath(url, home))) return undefined;
  const database = openDatabase({ url, home, schema: process.env.QUIRE_DATABASE_SCHEMA, maxConnections: 1 });
  try {
    const repos = createRepos({ ...database, secretCipher: null });
    const task = await repos.tasks.get(id);
    const attempt = task ? rankAttempts(await repos.attempts.listForTask(task.id))[0] : await repos.attempts.get(id);
    if (!attempt) return undefined;
    return { id: attempt.id, diff: await wholeDiffOf(attempt, repos.blobs) };
  } catch {
    // An unreachable or older database: the local store's own answer stands.
    return undefined;
  } finally {
    await database.close();
  }
}
