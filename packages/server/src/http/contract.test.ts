/**
 * The wire contract holds: the OpenAPI document (generated from the routes' declarations) types
 * every response, and a route answering outside its declaration fails the test that called it.
 */
import { Hono } from "hono";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkResponses, declareRoute } from "./contract.js";
import { error, ok } from "./responses.js";
import { startTestApi, type TestApi } from "../../testing/api.js";

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** A schema that says what the body holds: a reference, or a type with its parts spelled out. */
function typed(schema: Schema | undefined, components: Record<string, Schema>): boolean {
  if (!schema) return false;
  if (typeof schema.$ref === "string") {
    return schema.$ref.replace("#/components/schemas/", "") in components;
  }
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const parts = schema[key];
    if (Array.isArray(parts)) return parts.every((part) => typed(part as Schema, components));
  }
  if (schema.type === "object") return schema.properties !== undefined;
  if (schema.type === "array") return typed(schema.items as Schema, components);
  return typeof schema.type === "string";
}

describe("the OpenAPI document", () => {
  let api: TestApi;
  let document: Document;
  beforeAll(async () => {
    api = await startTestApi("sqlite");
    document = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as Document;
  });
  afterAll(async () => api?.close());

  it("types every response of every operation (no bare object)", () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(45);
    const untyped: string[] = [];
    for (const { name, operation } of operations) {
      const statuses = Object.keys(operation.responses);
      // An operation that exists only to refuse (405: MCP's GET and DELETE on a stateless server) has no success.
      if (!statuses.some((status) => /^[23]/.test(status) || status === "405"))
        untyped.push(`${name}: no success response`);
      for (const [status, response] of Object.entries(operation.responses)) {
        // 204, 202 (taken, nothing to say) and redirects have no body; every other response says what its body is.
        if (status === "204" || status === "202" || status.startsWith("3")) continue;
        const content = Object.entries(response.content ?? {});
        if (content.length === 0) untyped.push(`${name} ${status}: no content`);
        for (const [mediaType, { schema }] of content) {
          if (!typed(schema, document.components.schemas)) untyped.push(`${name} ${status} ${mediaType}`);
        }
      }
    }
    expect(untyped).toEqual([]);
  });

  it("holds the shared shapes as components", () => {
    for (const name of ["Task", "Attempt", "Delivery", "Repository", "Environment", "StoredEvent", "Error"]) {
      expect(document.components.schemas[name], name).toBeDefined();
    }
    // The drift this package ended: a task's delivery is typed, not any object.
    const task = document.components.schemas.Task as { properties: Record<string, Schema> };
    expect(JSON.stringify(task.properties.delivery)).toContain("#/components/schemas/Delivery");
  });
});

describe("checking responses against their declarations", () => {
  const app = new Hono();
  checkResponses(app);
  const thing = z.object({ name: z.string() });
  const declared = (path: string) =>
    ({
      method: "get",
      path,
      summary: "A test route",
      responses: { 200: ok("A thing.", z.object({ thing })), 404: error("No thing.") },
    }) as const;
  declareRoute(app, declared("/right"), (c) => c.json({ thing: { name: "a" } }));
  declareRoute(app, declared("/wrong"), (c) => c.json({ thing: { name: 1 } }));
  declareRoute(app, declared("/undeclared"), (c) => c.json({ thing: { name: "a" } }, 201));
  declareRoute(app, declared("/bad-error"), (c) => c.json({ message: "no" }, 404));
  declareRoute(app, declared("/good-error"), (c) => c.json({ error: { message: "no thing here" } }, 404));
  declareRoute(app, declared("/text"), (c) => c.text("not json"));

  const answer = async (path: string) => {
    const response = await app.request(path);
    return { status: response.status, body: (await response.json()) as { error?: { message: string } } };
  };

  it("lets a response that keeps its declaration through unchanged", async () => {
    expect(await answer("/right")).toEqual({ status: 200, body: { thing: { name: "a" } } });
    expect(await answer("/good-error")).toEqual({ status: 404, body: { error: { message: "no thing here" } } });
  });

  it("turns a response that breaks it into a 500 that says how", async () => {
    const wrong = await answer("/wrong");
    expect(wrong.status).toBe(500);
    expect(wrong.body.error?.message).toBe(
      "GET /wrong answered outside its contract: status 200's body does not match its schema: " +
        "thing.name: Invalid input: expected string, received number",
    );
    expect((await answer("/undeclared")).body.error?.message).toContain("status 201 is not declared");
    expect((await answer("/bad-error")).body.error?.message).toContain("error: Invalid input");
    expect((await answer("/text")).body.error?.message).toContain('content-type "text/plain; charset=UTF-8"');
  });
});
