/**
 * Images in a request (a task's prompt, a follow-up): base64 in JSON or file parts of a multipart
 * body (multipart-body.ts), each checked by its bytes (models/images.ts), so a file named shot.png
 * that is a script is refused, and a text-only model is refused before anything is stored or queued.
 */
import {
  checkImageCount,
  IMAGE_LIMITS,
  ImageError,
  type ImageInput,
  imageFromBytes,
  type ModelReadiness,
} from "@quire/core";
import { MAX_IMAGE_BASE64_CHARS } from "@quire/protocol";
import { HttpError } from "../errors.js";

/** The request body a route with images may take: the JSON around them, plus every image in base64. */
export const IMAGES_BODY_BYTES = 1024 * 1024 + IMAGE_LIMITS.maxCount * MAX_IMAGE_BASE64_CHARS;

/** The same as multipart/form-data: the JSON part, plus every image's bytes and its part's headers. */
export const IMAGES_MULTIPART_BODY_BYTES = 1024 * 1024 + IMAGE_LIMITS.maxCount * (IMAGE_LIMITS.maxBytes + 16 * 1024);

/** An image file from a multipart body, not yet checked: its bytes, and the file name it was sent with. */
export interface UploadedImage {
  name: string;
  bytes: Uint8Array;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes and checks a request's images (base64 in JSON, then uploaded files); `what` names the
 * body in the refusal ("task", "message").
 */
export function imagesOf(
  images: readonly { data: string }[] | undefined,
  what: string,
  model: ModelReadiness | undefined,
  uploads: readonly UploadedImage[] = [],
): ImageInput[] {
  const encoded = images ?? [];
  const count = encoded.length + uploads.length;
  if (count === 0) return [];
  const refuse = (path: string, message: string): HttpError =>
    new HttpError(400, `invalid ${what}: ${path}: ${message}`, [{ path, message }]);
  if (model && !model.imageInput) {
    throw refuse("images", `model ${model.model} is configured as text-only (image_input = false): it takes no images`);
  }
  try {
    checkImageCount(count);
  } catch (error) {
    throw refuse("images", (error as Error).message);
  }
  const checked = (bytes: Uint8Array, path: string, name?: string): ImageInput => {
    try {
      return imageFromBytes(bytes, path);
    } catch (error) {
      if (!(error instanceof ImageError)) throw error;
      const reason = error.message.slice(path.length + 2);
      throw refuse(path, name === undefined ? reason : `${name}: ${reason}`);
    }
  };
  const fromJson = encoded.map((image, index) => {
    const path = `images.${index}`;
    const base64 = image.data.startsWith("data:") ? image.data.slice(image.data.indexOf(",") + 1) : image.data;
    if (!BASE64.test(base64)) throw refuse(path, "not base64");
    return checked(Buffer.from(base64, "base64"), path);
  });
  const fromFiles = uploads.map((upload, index) =>
    checked(upload.bytes, `images.${encoded.length + index}`, upload.name),
  );
  return [...fromJson, ...fromFiles];
}
