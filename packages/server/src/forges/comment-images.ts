/**
 * The images of an `@quire` comment, for the task or follow-up it starts: the forge's own uploads
 * (upload-links.ts), downloaded through the destination rule and bounded (fetch-upload.ts), each
 * checked by its bytes like an image sent to the API, at most IMAGE_LIMITS.maxCount of them. What
 * cannot be had is skipped, never refused: the reply on the forge says which and why. A model
 * configured text-only takes none (and nothing is downloaded).
 */
import {
  DestinationRule,
  IMAGE_LIMITS,
  ImageError,
  type ImageInput,
  imageFromBytes,
  loadConfig,
  NO_OUTBOUND_ALLOWANCE,
} from "@quire/core";
import type { ForgeTarget } from "../delivery/forges-config.js";
import { fetchUpload } from "./fetch-upload.js";
import type { ForgeContext } from "./settings.js";
import { imageLinks, uploadLinks } from "./upload-links.js";

export interface SkippedImage {
  link: string;
  why: string;
}

export interface CommentImages {
  images: ImageInput[];
  skipped: SkippedImage[];
}

const NONE: CommentImages = { images: [], skipped: [] };

export async function commentImages(ctx: ForgeContext, target: ForgeTarget, comment: string): Promise<CommentImages> {
  const links = imageLinks(comment);
  if (links.length === 0) return NONE;
  if (ctx.modelStatus && !ctx.modelStatus.imageInput) {
    const why = `model ${ctx.modelStatus.model} is configured as text-only (image_input = false)`;
    return { images: [], skipped: links.map((link) => ({ link, why })) };
  }
  const config = await loadConfig(ctx.home).catch(() => null);
  const rule = new DestinationRule(config?.outbound ?? NO_OUTBOUND_ALLOWANCE);
  const images: ImageInput[] = [];
  const skipped: SkippedImage[] = [];
  let fetched = 0;
  for (const entry of uploadLinks(target, ctx.delivery.forges, links)) {
    const { link } = entry;
    if ("skipped" in entry) {
      skipped.push({ link, why: entry.skipped });
      continue;
    }
    // The count bounds what is downloaded too, not only what is kept.
    if (fetched === IMAGE_LIMITS.maxCount) {
      skipped.push({ link, why: `over the limit of ${IMAGE_LIMITS.maxCount} images per message` });
      continue;
    }
    fetched += 1;
    const download = await fetchUpload(entry.request, rule, IMAGE_LIMITS.maxBytes);
    if ("failed" in download) {
      skipped.push({ link, why: download.failed });
      continue;
    }
    try {
      images.push(imageFromBytes(download.bytes, link));
    } catch (error) {
      if (!(error instanceof ImageError)) throw error;
      skipped.push({ link, why: error.message.slice(link.length + 2) });
    }
  }
  return { images, skipped };
}
