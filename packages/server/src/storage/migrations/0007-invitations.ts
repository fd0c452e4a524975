/**
 * Invitations (issue 11, item 4): adding a member who has no account makes an invitation the
 * invitee completes, never an account with a password chosen by a workspace admin. And whether a
 * user's email was ever proven: only then may another workspace add them without an invitation.
 */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("invitations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('owner', 'admin', 'member', 'viewer')`))
    .addColumn("name", "text")
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("invited_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("accepted_at", "text")
    .addColumn("accepted_by", "text")
    .addColumn("revoked_at", "text")
    .execute();
  await db.schema
    .createIndex("invitations_workspace")
    .on("invitations")
    .columns(["workspace_id", "created_at"])
    .execute();
  await db.schema.createIndex("invitations_email").on("invitations").columns(["email"]).execute();

  // Existing users: an email counts as proven only when a single sign-on provider vouched for it
  // (a linked identity). Anyone else may have been made by a workspace admin with a password of
  // their choosing, so other workspaces invite them rather than add them outright.
  await db.schema
    .alterTable("users")
    .addColumn("email_verified", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update users set email_verified = 1 where id in (select user_id from identities)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("email_verified").execute();
  await db.schema.dropTable("invitations").execute();
}
