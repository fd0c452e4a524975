/**
 * The OpenAPI 3.1 document of `/api/openapi.json`, generated from the routes' declarations
 * (contract.ts) and @quire/protocol's schemas: a schema with an id (`.meta({ id })`) becomes a
 * component, referenced wherever it is used.
 */
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type ZodContentObject,
} from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import type { ResponseSpec, RouteSpec } from "./contract.js";

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31["generateDocument"]>;

function pathParameters(path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  if (names.length === 0) return undefined;
  return z.object(Object.fromEntries(names.map((name) => [name, z.string()])));
}

function response(spec: ResponseSpec): ResponseConfig {
  const schema = spec.schema;
  const mediaTypes = [spec.mediaType ?? "application/json"].flat();
  return {
    description: spec.description,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(schema ? { content: Object.fromEntries(mediaTypes.map((type) => [type, { schema }])) } : {}),
  };
}

/** application/json, and multipart/form-data for a route that takes files too. */
function requestContent(route: RouteSpec): ZodContentObject {
  const content: ZodContentObject = { "application/json": { schema: route.body! } };
  if (route.multipart) {
    const { schema, encoding } = route.multipart;
    content["multipart/form-data"] = { schema, ...(encoding ? { encoding } : {}) };
  }
  return content;
}

export function openApiDocument(routes: readonly RouteSpec[]): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "token", {
    type: "http",
    scheme: "bearer",
    description: "An API token, quire_…",
  });
  registry.registerComponent("securitySchemes", "session", {
    type: "apiKey",
    in: "cookie",
    name: "quire_session",
    description: "Plus x-csrf-token on unsafe methods.",
  });
  for (const route of routes) {
    registry.registerPath({
      method: route.method,
      path: route.path,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      request: {
        params: pathParameters(route.path),
        query: route.query,
        headers: route.headers,
        ...(route.body ? { body: { required: true, content: requestContent(route) } } : {}),
      },
      responses: Object.fromEntries(Object.entries(route.responses).map(([status, spec]) => [status, response(spec)])),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: { title: "Quire API", version: "0.1.0" },
  });
}
