import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { z } from "zod";
import { loadToolDescription } from "../instructions/prompts.js";
import { ImageError, IMAGE_LIMITS, imageFromBytes } from "../models/images.js";
import { PathEscapeError, resolveInsideWorkspace } from "../paths.js";
import { defineTool } from "./define-tool.js";
import { ToolError } from "./errors.js";

const viewImageSchema = z.object({
  path: z.string().min(1).describe("Path of the image file, relative to the working directory or absolute inside it."),
});

/**
 * Codex's view_image: the agent looks at an image file of the workspace (a screenshot a test wrote,
 * a design file). The image reaches the model with the next request; offered only to models that
 * take images.
 */
export const viewImageTool = defineTool({
  name: "view_image",
  description: loadToolDescription("view_image"),
  schema: viewImageSchema,
  async handler(args, context) {
    if (!context.attachImage) throw new ToolError("view_image is not available: this model does not take images");
    let resolved: string;
    try {
      resolved = resolveInsideWorkspace(context.workspace, args.path, { base: context.cwd });
    } catch (error) {
      if (error instanceof PathEscapeError) throw new ToolError(error.message);
      throw error;
    }
    let bytes: Buffer;
    try {
      bytes = await readBoundedFile(resolved);
    } catch (error) {
      throw new ToolError(`view_image: ${args.path}: ${(error as Error).message}`);
    }
    try {
      context.attachImage(imageFromBytes(bytes, args.path), args.path);
    } catch (error) {
      if (error instanceof ImageError) throw new ToolError(`view_image: ${error.message}`);
      throw error;
    }
    return { output: `attached local image path: ${args.path}` };
  },
});

/**
 * Reads a regular file of at most the image limit. Opened without following a final symlink and
 * without blocking (a FIFO the agent made must not hang the task), then checked through its handle.
 */
async function readBoundedFile(file: string): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (error: NodeJS.ErrnoException) => {
      throw new Error(error.code === "ENOENT" ? "no such file" : `cannot open it (${error.code ?? error.message})`);
    },
  );
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error("not a regular file");
    if (stat.size > IMAGE_LIMITS.maxBytes) {
      throw new Error(`${stat.size} bytes is over the limit of ${IMAGE_LIMITS.maxBytes} bytes per image`);
    }
    const buffer = Buffer.alloc(stat.size);
    const { bytesRead } = await handle.read(buffer, 0, stat.size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
