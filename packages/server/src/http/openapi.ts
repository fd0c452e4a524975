/**
 * The OpenAPI 3.1 document for `/api/openapi.json`. Request bodies are generated from the same zod
 * schemas the routes validate with, so the two cannot drift; a test checks every route is here.
 */
import { z } from "zod";
import { TASK_STATUSES } from "../storage/index.js";
import { createRepositoryBody, createTaskBody, errorBody, messageBody } from "./schemas.js";

type JsonObject = Record<string, unknown>;

const schemaOf = (schema: z.ZodType): JsonObject => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input" }) as JsonObject;
  return rest;
};

const json = (schema: JsonObject) => ({ "application/json": { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, content: json(ref("Error")) });
const ok = (description: string, schema: JsonObject = { type: "object" }) => ({ description, content: json(schema) });
const body = (name: string) => ({ required: true, content: json(ref(name)) });
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" } };

function taskAction(summary: string, extra: JsonObject = {}): JsonObject {
  return {
    post: {
      summary,
      parameters: [idParam],
      ...extra,
      responses: { "200": ok("The task after the change."), "404": error("No such task.") },
    },
  };
}

export function openApiDocument(): JsonObject {
  return {
    openapi: "3.1.0",
    info: { title: "Quire API", version: "0.1.0" },
    paths: {
      "/healthz": {
        get: {
          summary: "Liveness and database check",
          responses: { "200": ok("Healthy."), "503": ok("The database is unreachable.") },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus metrics",
          responses: { "200": { description: "Text exposition format.", content: { "text/plain": {} } } },
        },
      },
      "/api/openapi.json": { get: { summary: "This document", responses: { "200": ok("OpenAPI 3.1.") } } },
      "/api/repositories": {
        get: { summary: "List repositories", responses: { "200": ok("{ repositories }") } },
        post: {
          summary: "Register a repository",
          requestBody: body("CreateRepository"),
          responses: { "201": ok("{ repository }"), "400": error("Invalid body.") },
        },
      },
      "/api/tasks": {
        get: {
          summary: "List tasks, newest first",
          parameters: [
            { name: "status", in: "query", schema: { type: "string", enum: [...TASK_STATUSES] } },
            { name: "repo", in: "query", schema: { type: "string" } },
            { name: "archived", in: "query", schema: { type: "string", enum: ["true", "false"] } },
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } },
          ],
          responses: { "200": ok("{ tasks }"), "400": error("Invalid query.") },
        },
        post: {
          summary: "Create a task with 1 to 4 queued attempts",
          requestBody: body("CreateTask"),
          responses: { "201": ok("{ task, attempts }"), "400": error("Invalid body or unknown repository.") },
        },
      },
      "/api/tasks/{id}": {
        get: {
          summary: "One task",
          parameters: [idParam],
          responses: { "200": ok("{ task }"), "404": error("No such task.") },
        },
      },
      "/api/tasks/{id}/attempts": {
        get: {
          summary: "The task's attempts",
          parameters: [idParam],
          responses: { "200": ok("{ attempts }"), "404": error("No such task.") },
        },
      },
      "/api/tasks/{id}/cancel": {
        post: {
          ...(taskAction("Request cancellation of an active task").post as JsonObject),
          responses: {
            "200": ok("{ task } with cancelRequestedAt set."),
            "404": error("No such task."),
            "409": error("The task has already ended."),
          },
        },
      },
      "/api/tasks/{id}/archive": taskAction("Archive a task"),
      "/api/tasks/{id}/messages": {
        post: {
          summary: "Send a follow-up message into the task",
          parameters: [idParam],
          requestBody: body("Message"),
          responses: { "201": ok("{ message }"), "400": error("Invalid body."), "404": error("No such task.") },
        },
      },
      "/api/tasks/{id}/events": {
        get: {
          summary: "The task's events as Server-Sent Events: history, then live, until task.completed",
          description:
            "Each event's id is its sequence number; data is { taskId, attemptId, seq, event, createdAt }. " +
            "Resume with the Last-Event-ID header or ?after=. A comment line is sent every 15 s while idle.",
          parameters: [
            idParam,
            { name: "after", in: "query", schema: { type: "integer", minimum: 0 } },
            { name: "Last-Event-ID", in: "header", schema: { type: "integer", minimum: 0 } },
          ],
          responses: {
            "200": { description: "An event stream.", content: { "text/event-stream": {} } },
            "400": error("Invalid cursor."),
            "404": error("No such task."),
          },
        },
      },
    },
    components: {
      schemas: {
        CreateRepository: schemaOf(createRepositoryBody),
        CreateTask: schemaOf(createTaskBody),
        Message: schemaOf(messageBody),
        Error: schemaOf(errorBody),
      },
    },
  };
}
