/** Storage: one typed query layer over SQLite (default) and PostgreSQL, with migrations. */
import type { StorageDatabase } from "./database.js";
import { AttemptsRepo } from "./attempts-repo.js";
import { EnvironmentsRepo } from "./environments-repo.js";
import { EventsRepo } from "./events-repo.js";
import { MessagesRepo } from "./messages-repo.js";
import { RepositoriesRepo } from "./repositories-repo.js";
import { TasksRepo } from "./tasks-repo.js";

export * from "./attempts-repo.js";
export * from "./database.js";
export * from "./environments-repo.js";
export * from "./events-repo.js";
export * from "./messages-repo.js";
export * from "./migrate.js";
export * from "./repositories-repo.js";
export * from "./schema.js";
export * from "./tasks-repo.js";

export interface Repos {
  repositories: RepositoriesRepo;
  environments: EnvironmentsRepo;
  tasks: TasksRepo;
  attempts: AttemptsRepo;
  messages: MessagesRepo;
  events: EventsRepo;
}

/** Every repository over one database. */
export function createRepos(database: Pick<StorageDatabase, "db" | "dialect">): Repos {
  const { db, dialect } = database;
  return {
    repositories: new RepositoriesRepo(db),
    environments: new EnvironmentsRepo(db),
    tasks: new TasksRepo(db),
    attempts: new AttemptsRepo(db, dialect),
    messages: new MessagesRepo(db),
    events: new EventsRepo(db),
  };
}
