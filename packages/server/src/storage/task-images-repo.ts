import { IMAGE_MEDIA_TYPES, type ImageInput, type ImageMediaType } from "@quire/core";
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { newId, timestamp } from "./values.js";

/** A stored image as the timeline names it: never its bytes. */
export interface TaskImageInfo {
  id: string;
  taskId: string;
  messageId: string | null;
  mediaType: ImageMediaType;
  bytes: number;
}

function mediaTypeOf(text: string): ImageMediaType {
  // Written only from a sniffed image (models/images.ts); anything else is a corrupt row.
  if ((IMAGE_MEDIA_TYPES as readonly string[]).includes(text)) return text as ImageMediaType;
  throw new Error(`stored image has an unknown media type ${JSON.stringify(text)}`);
}

/** The images of a task's prompt (message null) and of its follow-ups, in the database. */
export class TaskImagesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores one message's images (already checked), in order; returns them with their ids. */
  async add(
    taskId: string,
    messageId: string | null,
    images: readonly ImageInput[],
    now: Date = new Date(),
  ): Promise<ImageInput[]> {
    if (images.length === 0) return [];
    const stored = images.map((image) => ({ ...image, id: newId(now) }));
    await this.db
      .insertInto("task_images")
      .values(
        stored.map((image, position) => {
          const data = Buffer.from(image.data, "base64");
          return {
            id: image.id,
            task_id: taskId,
            message_id: messageId,
            position,
            media_type: image.mediaType,
            bytes: data.length,
            data,
            created_at: timestamp(now),
          };
        }),
      )
      .execute();
    return stored;
  }

  /** One message's images with their bytes, for the model. */
  async forMessage(taskId: string, messageId: string | null): Promise<ImageInput[]> {
    let query = this.db
      .selectFrom("task_images")
      .select(["id", "media_type", "data"])
      .where("task_id", "=", taskId)
      .orderBy("position");
    query = messageId === null ? query.where("message_id", "is", null) : query.where("message_id", "=", messageId);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      mediaType: mediaTypeOf(row.media_type),
      data: Buffer.from(row.data).toString("base64"),
    }));
  }

  /** One image's bytes, for the timeline; undefined when the task has no such image. */
  async get(taskId: string, id: string): Promise<{ mediaType: ImageMediaType; data: Buffer } | undefined> {
    const row = await this.db
      .selectFrom("task_images")
      .select(["media_type", "data"])
      .where("task_id", "=", taskId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row && { mediaType: mediaTypeOf(row.media_type), data: Buffer.from(row.data) };
  }

  /** How many images an attempt was given: its task's prompt's, and its follow-ups' (metering). */
  async countForAttempt(taskId: string, attemptId: string): Promise<number> {
    const row = await this.db
      .selectFrom("task_images")
      .select((eb) => eb.fn.countAll<number | string>().as("count"))
      .where("task_id", "=", taskId)
      .where((eb) =>
        eb.or([
          eb("message_id", "is", null),
          eb("message_id", "in", eb.selectFrom("messages").select("id").where("attempt_id", "=", attemptId)),
        ]),
      )
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
