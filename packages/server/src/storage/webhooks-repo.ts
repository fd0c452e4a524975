/**
 * Outbound webhooks of a workspace. The URL and the signing secret are encrypted at rest (a Slack
 * URL is a credential by itself); lists carry only the URL's origin, never the secret.
 */
import type { Kysely, Selectable } from "kysely";
import type { SecretCipher } from "./secret-cipher.js";
import type { Database, WebhooksTable } from "./schema.js";
import { newId, timestamp } from "./values.js";

import { WEBHOOK_EVENTS, type Webhook, type WebhookEvent, type WebhookFormat } from "@quire/protocol";

export { WEBHOOK_EVENTS, type Webhook, type WebhookEvent, type WebhookFormat };

/** A webhook with what sending it needs (decrypted): only for the notifier. */
export interface WebhookTarget extends Webhook {
  url: string;
  secret: string;
}

export class WebhooksRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: SecretCipher | null,
  ) {}

  private requireCipher(): SecretCipher {
    if (!this.cipher) throw new Error("webhooks need the secrets key (this process was opened without it)");
    return this.cipher;
  }

  async create(input: {
    workspaceId: string;
    url: string;
    secret: string;
    format: WebhookFormat;
    events: readonly WebhookEvent[];
    createdBy: string | null;
  }): Promise<Webhook> {
    const cipher = this.requireCipher();
    const id = newId();
    const row: Selectable<WebhooksTable> = {
      id,
      workspace_id: input.workspaceId,
      url: cipher.encrypt(input.url, { environmentId: `webhook:${id}`, name: "url" }),
      url_hint: new URL(input.url).origin,
      secret: cipher.encrypt(input.secret, { environmentId: `webhook:${id}`, name: "secret" }),
      format: input.format,
      events: JSON.stringify(input.events),
      created_by: input.createdBy,
      created_at: timestamp(new Date()),
      last_status: null,
      last_status_code: null,
      last_error: null,
      last_event: null,
      last_attempts: null,
      last_at: null,
    };
    await this.db.insertInto("webhooks").values(row).execute();
    return toWebhook(row);
  }

  async list(workspaceId: string): Promise<Webhook[]> {
    const rows = await this.db
      .selectFrom("webhooks")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toWebhook);
  }

  async get(id: string): Promise<Webhook | undefined> {
    const row = await this.db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toWebhook(row);
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom("webhooks").where("id", "=", id).execute();
  }

  /** One webhook, decrypted, to send to; undefined once it was removed. */
  async target(id: string): Promise<WebhookTarget | undefined> {
    const row = await this.db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
    return row && this.toTarget(row);
  }

  private toTarget(row: Selectable<WebhooksTable>): WebhookTarget {
    const cipher = this.requireCipher();
    return {
      ...toWebhook(row),
      url: cipher.decrypt(row.url, { environmentId: `webhook:${row.id}`, name: "url" }),
      secret: cipher.decrypt(row.secret, { environmentId: `webhook:${row.id}`, name: "secret" }),
    };
  }

  async recordDelivery(
    id: string,
    outcome: {
      status: "delivered" | "failed";
      statusCode: number | null;
      error: string | null;
      event: string;
      attempts: number;
    },
    now: Date = new Date(),
  ): Promise<void> {
    await this.db
      .updateTable("webhooks")
      .set({
        last_status: outcome.status,
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        last_event: outcome.event,
        last_attempts: outcome.attempts,
        last_at: timestamp(now),
      })
      .where("id", "=", id)
      .execute();
  }
}

function toWebhook(row: Selectable<WebhooksTable>): Webhook {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    urlHint: row.url_hint,
    format: row.format === "slack" ? "slack" : "json",
    events: (JSON.parse(row.events) as string[]).filter((event): event is WebhookEvent =>
      (WEBHOOK_EVENTS as readonly string[]).includes(event),
    ),
    createdAt: row.created_at,
    createdBy: row.created_by,
    lastDelivery:
      row.last_status === "delivered" || row.last_status === "failed"
        ? {
            status: row.last_status,
            statusCode: row.last_status_code,
            error: row.last_error,
            event: row.last_event,
            attempts: row.last_attempts ?? 0,
            at: row.last_at ?? row.created_at,
          }
        : null,
  };
}
