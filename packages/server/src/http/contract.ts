/**
 * Declaring a route: its path, what it reads (query, headers, body) and every response it gives,
 * each with a schema from @quire/protocol. `declareRoute` registers the handler with Hono and
 * records the declaration; `/api/openapi.json` is generated from the declarations
 * (openapi-document.ts), so the document cannot miss a route or drift from it. Handlers keep
 * validating their own input (parseOr400), so the order of checks (auth, existence, body) and the
 * error messages stay theirs.
 *
 * With `checkResponses` on (the tests' API), every response is checked against its declaration:
 * one that does not match becomes a 500 that says why, so a test of the route fails.
 */
import type { Context, Handler, Hono, MiddlewareHandler } from "hono";
import type { BlankEnv } from "hono/types";
import type { z } from "zod";
import { errorBody } from "@quire/protocol";

export type Method = "get" | "post" | "put" | "patch" | "delete";

export interface ResponseSpec {
  description: string;
  /** The body's schema; absent for a response without a body (204, 302). */
  schema?: z.ZodType;
  /** application/json unless said; any other type is documented as a string. Several: any of them. */
  mediaType?: string | readonly string[];
  headers?: Record<string, { description: string; schema: { type: "string" | "integer" } }>;
}

export interface RouteSpec {
  method: Method;
  /** OpenAPI's template: `/api/tasks/{id}`; every `{name}` is a string path parameter. */
  path: string;
  summary: string;
  description?: string;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** The same body as multipart/form-data too (a route taking image files): the form and each part's type. */
  multipart?: { schema: z.ZodType; encoding?: Record<string, { contentType: string }> };
  responses: Record<number, ResponseSpec>;
}

/** `/api/tasks/{id}` as Hono's pattern `/api/tasks/:id`, in the type too (so `c.req.param("id")` is typed). */
type HonoPath<P extends string> = P extends `${infer Head}{${infer Name}}${infer Tail}`
  ? `${Head}:${Name}${HonoPath<Tail>}`
  : P;

interface ContractState {
  routes: RouteSpec[];
  checkResponses: boolean;
}

const contracts = new WeakMap<Hono, ContractState>();

function contractOf(app: Hono): ContractState {
  let state = contracts.get(app);
  if (!state) {
    state = { routes: [], checkResponses: false };
    contracts.set(app, state);
  }
  return state;
}

/** Call before routes are declared: from then on each response is checked against its declaration. */
export function checkResponses(app: Hono): void {
  contractOf(app).checkResponses = true;
}

/** Every route declared on the app, in order. */
export function declaredRoutes(app: Hono): readonly RouteSpec[] {
  return contractOf(app).routes;
}

export function declareRoute<P extends string>(
  app: Hono,
  spec: RouteSpec & { path: P },
  handler: Handler<BlankEnv, HonoPath<P>>,
): void {
  const state = contractOf(app);
  state.routes.push(spec);
  const path = spec.path.replace(/\{(\w+)\}/g, ":$1");
  const method = spec.method.toUpperCase();
  if (state.checkResponses) app.on(method, path, responseCheck(spec), handler as Handler);
  else app.on(method, path, handler as Handler);
}

const isJson = (mediaType: string) => mediaType === "application/json";

function responseCheck(spec: RouteSpec): MiddlewareHandler {
  return async (c: Context, next) => {
    await next();
    const problem = await responseProblem(spec, c.res);
    if (!problem) return;
    const message = `${spec.method.toUpperCase()} ${spec.path} answered outside its contract: ${problem}`;
    c.res = undefined;
    c.res = c.json({ error: { message } }, 500);
  };
}

/** Why the response breaks the route's declaration, or undefined when it keeps it. */
export async function responseProblem(spec: RouteSpec, response: Response): Promise<string | undefined> {
  const status = response.status;
  const declared = spec.responses[status];
  // An undeclared error (a 401 from authentication, a 500) still has the one error shape.
  const expected = declared ?? (status >= 400 ? { description: "", schema: errorBody } : undefined);
  if (!expected) return `status ${status} is not declared`;
  if (!expected.schema) return undefined;
  const mediaTypes = [expected.mediaType ?? "application/json"].flat();
  const contentType = response.headers.get("content-type") ?? "";
  const mediaType = mediaTypes.find((type) => contentType.split(";")[0]!.trim() === type);
  if (!mediaType) return `status ${status} has content-type "${contentType}", declared ${mediaTypes.join(" or ")}`;
  // Streams and text are checked by type only: reading them here would hold them whole.
  if (!isJson(mediaType)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(await response.clone().text());
  } catch {
    return `status ${status} has a body that is not JSON`;
  }
  const result = expected.schema.safeParse(body);
  if (result.success) return undefined;
  const issues = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`);
  return `status ${status}'s body does not match its schema: ${issues.join("; ")}`;
}
