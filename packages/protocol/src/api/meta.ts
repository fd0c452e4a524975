/** The server itself: health, and whether its workers can call their model. */
import { z } from "zod";

export const healthResponse = z.object({ status: z.literal("ok") });
export const unhealthyResponse = z.object({
  status: z.literal("unavailable"),
  error: z.object({ message: z.string() }),
});

export const modelReadinessSchema = z
  .object({
    ready: z.boolean(),
    provider: z.enum(["openai", "openai-chat", "anthropic"]),
    model: z.string(),
    /** What is missing and what to set, when not ready. */
    message: z.string().nullable(),
  })
  .meta({ id: "ModelReadiness" });

/** Null when this process runs no workers (they run elsewhere, with their own keys). */
export const modelStatusResponse = z.object({ model: modelReadinessSchema.nullable() });

/** `GET /api/openapi.json`: an OpenAPI 3.1 document (its own schema is OpenAPI's). */
export const openApiDocumentSchema = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
    components: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "OpenApiDocument" });

export type ModelReadiness = z.infer<typeof modelReadinessSchema>;
export type ModelStatus = z.infer<typeof modelStatusResponse>;
