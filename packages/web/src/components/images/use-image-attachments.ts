/**
 * Images attached to a prompt or a follow-up: from the file picker, a paste or a drop. Each is
 * read as a data URL (which the server accepts, and the strict CSP lets an <img> show); the
 * server checks what the bytes are, so here only the kind the browser reports and the limits are
 * checked, for an early and clear refusal.
 */
import type { ImageUploads } from "@quire/protocol";
import { IMAGE_LIMITS, IMAGE_MEDIA_TYPES } from "@quire/protocol/constants";
import { useCallback, useState, type ClipboardEvent, type DragEvent } from "react";

export { IMAGE_LIMITS };
export const IMAGE_TYPES: readonly string[] = IMAGE_MEDIA_TYPES;

export interface Attachment {
  name: string;
  /** `data:image/…;base64,…`: the thumbnail's source and what is sent. */
  dataUrl: string;
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error(`could not read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

export function useImageAttachments() {
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [error, setError] = useState<string | null>(null);

  const add = useCallback(
    async (files: readonly File[]): Promise<void> => {
      setError(null);
      const images = files.filter((file) => file.type.startsWith("image/"));
      if (images.length === 0) return;
      const refused = images.find((file) => !IMAGE_TYPES.includes(file.type));
      if (refused) return setError(`${refused.name}: not a PNG, JPEG, WebP or GIF image`);
      const large = images.find((file) => file.size > IMAGE_LIMITS.maxBytes);
      if (large)
        return setError(`${large.name}: over the limit of ${IMAGE_LIMITS.maxBytes / 1024 / 1024} MiB per image`);
      if (attachments.length + images.length > IMAGE_LIMITS.maxCount) {
        return setError(`at most ${IMAGE_LIMITS.maxCount} images per message`);
      }
      const read = await Promise.all(
        images.map(async (file) => ({ name: file.name || "pasted image", dataUrl: await readAsDataUrl(file) })),
      );
      setAttachments((current) => [...current, ...read].slice(0, IMAGE_LIMITS.maxCount));
    },
    [attachments.length],
  );

  const onPaste = (event: ClipboardEvent): void => {
    const files = [...event.clipboardData.files];
    if (files.some((file) => file.type.startsWith("image/"))) {
      event.preventDefault();
      void add(files);
    }
  };
  const onDrop = (event: DragEvent): void => {
    if (event.dataTransfer.files.length === 0) return;
    event.preventDefault();
    void add([...event.dataTransfer.files]);
  };
  const onDragOver = (event: DragEvent): void => {
    if (event.dataTransfer.types.includes("Files")) event.preventDefault();
  };

  return {
    attachments,
    error,
    add,
    remove: (index: number) => setAttachments((current) => current.filter((_, at) => at !== index)),
    clear: () => setAttachments([]),
    /** What the API takes: `images: [{ data }]`, absent when there are none. */
    body: (): { images?: ImageUploads } =>
      attachments.length > 0 ? { images: attachments.map((attachment) => ({ data: attachment.dataUrl })) } : {},
    dropTarget: { onPaste, onDrop, onDragOver },
  };
}

export type ImageAttachments = ReturnType<typeof useImageAttachments>;
