/** Storage: one typed query layer over SQLite (default) and PostgreSQL, with migrations. */
import type { StorageDatabase } from "./database.js";
import { ApiTokensRepo } from "./api-tokens-repo.js";
import { AttemptsRepo } from "./attempts-repo.js";
import { AuditRepo } from "./audit-repo.js";
import { BlobsRepo } from "./blobs-repo.js";
import { EnvironmentsRepo } from "./environments-repo.js";
import { EventsRepo } from "./events-repo.js";
import { ForgesRepo } from "./forges-repo.js";
import { InvitationsRepo } from "./invitations-repo.js";
import { MessagesRepo } from "./messages-repo.js";
import { CommandOutputsRepo } from "./command-outputs-repo.js";
import { RepositoriesRepo } from "./repositories-repo.js";
import type { SecretCipher } from "./secret-cipher.js";
import { SessionsRepo } from "./sessions-repo.js";
import { TaskImagesRepo } from "./task-images-repo.js";
import { TasksRepo } from "./tasks-repo.js";
import { WebhooksRepo } from "./webhooks-repo.js";
import { WebhookDeliveriesRepo } from "./webhook-deliveries-repo.js";
import { AdmissionsRepo } from "./usage-admissions-repo.js";
import { UsageRecordsRepo } from "./usage-records-repo.js";
import { UsersRepo } from "./users-repo.js";
import { WorkspacePlansRepo } from "./workspace-plans-repo.js";
import { WorkspacesRepo } from "./workspaces-repo.js";

export * from "./accounts-schema.js";
export * from "./api-tokens-repo.js";
export * from "./attempts-repo.js";
export * from "./audit-repo.js";
export * from "./blobs-repo.js";
export * from "./database.js";
export * from "./environments-repo.js";
export * from "./events-repo.js";
export * from "./forges-repo.js";
export * from "./invitations-repo.js";
export * from "./legacy-secrets.js";
export * from "./messages-repo.js";
export * from "./command-outputs-repo.js";
export * from "./migrate.js";
export * from "./repositories-repo.js";
export * from "./schema.js";
export * from "./secret-cipher.js";
export * from "./secrets-key.js";
export * from "./sessions-repo.js";
export * from "./task-images-repo.js";
export * from "./tasks-repo.js";
export * from "./webhooks-repo.js";
export * from "./webhook-deliveries-repo.js";
export * from "./usage-admissions-repo.js";
export * from "./usage-records-repo.js";
export * from "./usage-schema.js";
export * from "./users-repo.js";
export * from "./workspace-plans-repo.js";
export * from "./workspaces-repo.js";

export interface Repos {
  repositories: RepositoriesRepo;
  environments: EnvironmentsRepo;
  tasks: TasksRepo;
  attempts: AttemptsRepo;
  messages: MessagesRepo;
  taskImages: TaskImagesRepo;
  commandOutputs: CommandOutputsRepo;
  blobs: BlobsRepo;
  events: EventsRepo;
  users: UsersRepo;
  workspaces: WorkspacesRepo;
  sessions: SessionsRepo;
  apiTokens: ApiTokensRepo;
  audit: AuditRepo;
  invitations: InvitationsRepo;
  workspacePlans: WorkspacePlansRepo;
  admissions: AdmissionsRepo;
  usage: UsageRecordsRepo;
  forges: ForgesRepo;
  webhooks: WebhooksRepo;
  webhookDeliveries: WebhookDeliveriesRepo;
}

export interface ReposDatabase extends Pick<StorageDatabase, "db" | "dialect"> {
  /**
   * Encrypts environment secrets at rest. Required, so that no caller stores them in plain text
   * by forgetting it; null only where secrets are never touched (`quire plan`).
   */
  secretCipher: SecretCipher | null;
}

/** Every repository over one database. */
export function createRepos(database: ReposDatabase): Repos {
  const { db, dialect } = database;
  return {
    repositories: new RepositoriesRepo(db, database.secretCipher),
    environments: new EnvironmentsRepo(db, database.secretCipher),
    tasks: new TasksRepo(db),
    attempts: new AttemptsRepo(db, dialect),
    messages: new MessagesRepo(db),
    taskImages: new TaskImagesRepo(db),
    commandOutputs: new CommandOutputsRepo(db),
    blobs: new BlobsRepo(db),
    events: new EventsRepo(db, dialect),
    users: new UsersRepo(db),
    workspaces: new WorkspacesRepo(db, dialect),
    sessions: new SessionsRepo(db),
    apiTokens: new ApiTokensRepo(db),
    audit: new AuditRepo(db),
    invitations: new InvitationsRepo(db),
    workspacePlans: new WorkspacePlansRepo(db),
    admissions: new AdmissionsRepo(db, dialect),
    usage: new UsageRecordsRepo(db),
    forges: new ForgesRepo(db),
    webhooks: new WebhooksRepo(db, database.secretCipher),
    webhookDeliveries: new WebhookDeliveriesRepo(db),
  };
}
