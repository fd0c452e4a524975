/** Building blocks of the OpenAPI document, shared by http/openapi.ts and accounts/openapi.ts. */
import { z } from "zod";

export type JsonObject = Record<string, unknown>;

/** A zod schema as JSON Schema (the request bodies the routes validate with, so the two cannot drift). */
export const schemaOf = (schema: z.ZodType): JsonObject => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input" }) as JsonObject;
  return rest;
};
export const json = (schema: JsonObject) => ({ "application/json": { schema } });
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const error = (description: string) => ({ description, content: json(ref("Error")) });
export const ok = (description: string, schema: JsonObject = { type: "object" }) => ({
  description,
  content: json(schema),
});
export const body = (name: string) => ({ required: true, content: json(ref(name)) });
