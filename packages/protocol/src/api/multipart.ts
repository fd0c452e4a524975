/**
 * The multipart/form-data form of the bodies that take images (a new task, a follow-up): the body
 * as JSON in a part named `json`, and each image as a file part named `image`. The server reads
 * the same JSON as the application/json body (minus `images`) and checks the files by their bytes.
 */
import { z } from "zod";
import { IMAGE_LIMITS, IMAGE_MEDIA_TYPES } from "../constants.js";

/** The part names of a multipart body, and the form as the OpenAPI document shows it. */
export const MULTIPART_PARTS = { json: "json", image: "image" } as const;

/** Each part's media type, for the OpenAPI document's `encoding`. */
export const multipartEncoding = {
  json: { contentType: "application/json" },
  image: { contentType: IMAGE_MEDIA_TYPES.join(", ") },
} as const;

const imageParts = z
  .array(z.string().meta({ format: "binary", description: "A PNG, JPEG, WebP or GIF file." }))
  .max(IMAGE_LIMITS.maxCount)
  .optional()
  .describe(
    `Image files, each in its own part named image: at most ${IMAGE_LIMITS.maxCount} of at most ` +
      `${IMAGE_LIMITS.maxBytes} bytes, checked by their bytes (a file name or a part's type says nothing).`,
  );

function multipartForm(id: string, bodyId: string) {
  return z
    .object({
      json: z.string().meta({
        contentMediaType: "application/json",
        description: `The ${bodyId} body as JSON, as application/json takes it, without \`images\` (they are the image parts).`,
      }),
      image: imageParts,
    })
    .meta({ id });
}

export const createTaskMultipart = multipartForm("CreateTaskMultipart", "CreateTask");
export const followUpMultipart = multipartForm("MessageMultipart", "Message");
