/**
 * Images given to a model: the kinds every provider takes (PNG, JPEG, WebP, GIF), recognised by
 * their first bytes (never by a file name or a declared type), and the limits on them.
 */
import { IMAGE_LIMITS, IMAGE_MEDIA_TYPES, type ImageMediaType } from "@quire/protocol";

// The kinds and limits are part of the wire contract (the API's bodies): @quire/protocol holds them.
export { IMAGE_LIMITS, IMAGE_MEDIA_TYPES, type ImageMediaType };

/** One image in the conversation: its bytes as base64, and what they are. */
export interface ImageInput {
  mediaType: ImageMediaType;
  /** The bytes, base64-encoded (what every wire format carries). */
  data: string;
  /** Where the image is kept, when it is (a server's stored image id); shown in the timeline. */
  id?: string;
}

/** What an image costs in the context-window estimate: a flat figure, since its base64 says nothing. */
export const IMAGE_TOKEN_ESTIMATE = 1_600;

export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageError";
  }
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + prefix.length && prefix.every((byte, i) => bytes[offset + i] === byte);

/** The image kind of these bytes, or undefined when they are none of the four. */
export function sniffImageType(bytes: Uint8Array): ImageMediaType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) {
    return "image/gif";
  }
  // RIFF....WEBP
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) {
    return "image/webp";
  }
  return undefined;
}

/** An image from its bytes, checked; `label` names it in the refusal (a file name, `images[0]`). */
export function imageFromBytes(bytes: Uint8Array, label: string): ImageInput {
  if (bytes.length > IMAGE_LIMITS.maxBytes) {
    throw new ImageError(
      `${label}: ${bytes.length} bytes is over the limit of ${IMAGE_LIMITS.maxBytes} bytes per image`,
    );
  }
  const mediaType = sniffImageType(bytes);
  if (!mediaType) throw new ImageError(`${label}: not a PNG, JPEG, WebP or GIF image`);
  return { mediaType, data: Buffer.from(bytes).toString("base64") };
}

/** Refuses more images than one message may carry. */
export function checkImageCount(count: number): void {
  if (count > IMAGE_LIMITS.maxCount) {
    throw new ImageError(`${count} images is over the limit of ${IMAGE_LIMITS.maxCount} per message`);
  }
}

export const imageDataUrl = (image: ImageInput): string => `data:${image.mediaType};base64,${image.data}`;

/** Bytes of the image once decoded (from its base64 length). */
export function imageByteLength(image: ImageInput): number {
  const padding = image.data.endsWith("==") ? 2 : image.data.endsWith("=") ? 1 : 0;
  return (image.data.length / 4) * 3 - padding;
}

/** What the timeline and the events say of an image: never its bytes. */
export interface ImageRef {
  id?: string;
  media_type: ImageMediaType;
  bytes: number;
}

export const imageRef = (image: ImageInput): ImageRef => ({
  ...(image.id ? { id: image.id } : {}),
  media_type: image.mediaType,
  bytes: imageByteLength(image),
});
