/**
 * Migrations are TypeScript modules compiled with the server, listed here in order, so they ship
 * inside dist/ and need no folder scanning at run time. Names sort in the order they apply.
 */
import type { Migration, MigrationProvider } from "kysely";
import * as initial from "./0001-initial.js";
import * as followUps from "./0002-follow-ups-and-delivery.js";
import * as accounts from "./0003-accounts.js";
import * as usage from "./0004-usage.js";
import * as taskCreator from "./0005-task-creator.js";
import * as verificationSkipped from "./0006-verification-skipped.js";
import * as invitations from "./0007-invitations.js";
import * as repositoryCredentials from "./0008-repository-credentials.js";
import * as repositoryRemoval from "./0010-repository-removal.js";
import * as roundsWithTheTask from "./0012-rounds-with-the-task.js";
import * as blobs from "./0019-blobs.js";
import * as blobsInDatabase from "./0020-blobs-in-database.js";
import * as forges from "./0030-forges.js";
import * as reviewMode from "./0040-review-mode.js";
import * as taskImages from "./0050-task-images.js";
import * as webhooks from "./0051-webhooks.js";
import * as webhookDeliveries from "./0052-webhook-deliveries.js";

const migrations: Record<string, Migration> = {
  "0001-initial": initial,
  "0002-follow-ups-and-delivery": followUps,
  "0003-accounts": accounts,
  "0004-usage": usage,
  "0005-task-creator": taskCreator,
  "0006-verification-skipped": verificationSkipped,
  "0007-invitations": invitations,
  "0008-repository-credentials": repositoryCredentials,
  "0010-repository-removal": repositoryRemoval,
  "0012-rounds-with-the-task": roundsWithTheTask,
  "0019-blobs": blobs,
  "0020-blobs-in-database": blobsInDatabase,
  "0030-forges": forges,
  "0040-review-mode": reviewMode,
  "0050-task-images": taskImages,
  "0051-webhooks": webhooks,
  "0052-webhook-deliveries": webhookDeliveries,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
