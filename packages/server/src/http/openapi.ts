/**
 * The OpenAPI 3.1 document for `/api/openapi.json`. Request bodies are generated from the same zod
 * schemas the routes validate with, so the two cannot drift; a test checks every route is here.
 */
import { accountPaths, accountSchemas, securitySchemes } from "../accounts/openapi.js";
import { TASK_STATUSES } from "../storage/index.js";
import {
  createEnvironmentBody,
  createRepositoryBody,
  renameRepositoryBody,
  createTaskBody,
  deliverBody,
  errorBody,
  messageBody,
  secretBody,
  updateEnvironmentBody,
} from "./schemas.js";
import { body, error, ok, schemaOf, type JsonObject } from "./openapi-parts.js";
import { usagePaths } from "./openapi-usage.js";
import { forgePaths } from "../forges/openapi.js";

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
      ...accountPaths(),
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
      "/mcp": {
        post: {
          summary: "Quire's MCP tools over streamable HTTP (stateless; JSON-RPC in, JSON out)",
          description:
            "The Model Context Protocol endpoint: create_task, wait_for_task, get_task, get_task_diff, " +
            "send_follow_up, deliver_task, list_tasks, list_repositories. Authenticated like /api: a token, " +
            "or a session with its CSRF token (401 without credentials on a multi-user server).",
          responses: { "200": ok("A JSON-RPC response."), "401": ok("No credentials.") },
        },
      },
      "/api/model-status": {
        get: {
          summary: "Whether this server's workers can call their model (its API key is set)",
          description:
            "{ model: { ready, provider, model, message } }, or { model: null } when this process runs no workers " +
            "(they run elsewhere, with their own keys). While ready is false, creating a task or sending a " +
            "follow-up is refused with 409 and the same message.",
          responses: { "200": ok("{ model: { ready, provider, model, message } | null }") },
        },
      },
      "/api/repositories": {
        get: { summary: "List repositories", responses: { "200": ok("{ repositories }") } },
        post: {
          summary: "Register a repository",
          requestBody: body("CreateRepository"),
          responses: {
            "201": ok("{ repository }"),
            "400": error("Invalid body, or the source is not a git repository or URL."),
            "409": error("The workspace already has this repository: the body holds it as { error, repository }."),
          },
        },
      },
      "/api/repositories/{id}": {
        get: {
          summary: "One repository",
          parameters: [idParam],
          responses: { "200": ok("{ repository }"), "404": error("No such repository.") },
        },
        patch: {
          summary: "Rename a repository",
          parameters: [idParam],
          requestBody: body("RenameRepository"),
          responses: {
            "200": ok("{ repository }"),
            "400": error("Invalid name."),
            "404": error("No such repository."),
          },
        },
        delete: {
          summary:
            "Remove a repository: its environments and Quire's clone go, its tasks stay readable but cannot be continued",
          parameters: [idParam],
          responses: {
            "200": ok("{ repository } as it was, with removed: true"),
            "404": error("No such repository."),
            "409": error("A task of the repository is queued or running."),
          },
        },
      },
      "/api/repositories/{id}/branches": {
        get: {
          summary: "The repository's branches (a URL's are fetched first)",
          parameters: [idParam],
          responses: {
            "200": ok("{ branches: [{ name, commit }] }"),
            "404": error("No such repository."),
            "502": error("The remote could not be fetched."),
          },
        },
      },
      "/api/environments": {
        get: {
          summary: "The environments of a repository",
          parameters: [{ name: "repo", in: "query", required: true, schema: { type: "string" } }],
          responses: {
            "200": ok("{ environments } (secrets by name and version only)"),
            "400": error("No repo given."),
          },
        },
        post: {
          summary: "Create an environment (the keys of .quire/environment.toml)",
          requestBody: body("CreateEnvironment"),
          responses: {
            "201": ok("{ environment }"),
            "400": error("Invalid body or definition."),
            "409": error("The name is taken."),
          },
        },
      },
      "/api/environments/{id}": {
        get: {
          summary: "One environment",
          parameters: [idParam],
          responses: { "200": ok("{ environment }"), "404": error("No such environment.") },
        },
        put: {
          summary: "Replace the environment's definition",
          parameters: [idParam],
          requestBody: body("UpdateEnvironment"),
          responses: {
            "200": ok("{ environment }"),
            "400": error("Invalid definition."),
            "404": error("No such environment."),
          },
        },
        delete: {
          summary: "Delete the environment and its secrets",
          parameters: [idParam],
          responses: { "204": { description: "Deleted." }, "404": error("No such environment.") },
        },
      },
      "/api/environments/{id}/secrets/{name}": {
        put: {
          summary: "Set a secret (write-only: its value is never returned)",
          parameters: [idParam, { name: "name", in: "path", required: true, schema: { type: "string" } }],
          requestBody: body("Secret"),
          responses: { "200": ok("{ secret: { name, version, updatedAt } }"), "400": error("Invalid name or value.") },
        },
        delete: {
          summary: "Remove a secret",
          parameters: [idParam, { name: "name", in: "path", required: true, schema: { type: "string" } }],
          responses: { "204": { description: "Removed." }, "404": error("No such secret.") },
        },
      },
      "/api/tasks": {
        get: {
          summary: "List tasks, newest first",
          parameters: [
            {
              name: "status",
              in: "query",
              description: `One status or several, comma-separated: ${TASK_STATUSES.join(", ")}.`,
              schema: { type: "string" },
            },
            { name: "repo", in: "query", schema: { type: "string" } },
            { name: "mode", in: "query", schema: { type: "string", enum: ["code", "ask"] } },
            {
              name: "q",
              in: "query",
              description: "Text the prompt contains (case-insensitive).",
              schema: { type: "string", minLength: 1, maxLength: 200 },
            },
            {
              name: "delivered",
              in: "query",
              description: "false: only tasks whose diff was not delivered yet.",
              schema: { type: "string", enum: ["true", "false"] },
            },
            { name: "archived", in: "query", schema: { type: "string", enum: ["true", "false"] } },
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 100 } },
            {
              name: "before",
              in: "query",
              description: "The `next` cursor of the previous page.",
              schema: { type: "string", maxLength: 200 },
            },
          ],
          responses: {
            "200": ok("{ tasks, next }: next is the cursor of the following page, null on the last."),
            "400": error("Invalid query."),
            "404": error("`repo` names no repository of the workspace (another workspace's answers the same)."),
          },
        },
        post: {
          summary: "Create a task with 1 to 4 queued attempts",
          requestBody: body("CreateTask"),
          responses: {
            "201": ok("{ task, attempts }"),
            "400": error("Invalid body or unknown repository."),
            "409": error("The model cannot be called (no API key): see /api/model-status. Nothing is queued."),
          },
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
          summary:
            "The task's attempts; a diff over the inline cap (1 MiB) is cut (diffTruncated, diffBytes): /diff serves it whole",
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
      "/api/tasks/{id}/unarchive": taskAction("Bring an archived task back to the list"),
      "/api/tasks/{id}/messages": {
        post: {
          summary: "Send a follow-up message into the task",
          parameters: [idParam],
          requestBody: body("Message"),
          responses: {
            "201": ok("{ message }"),
            "400": error("Invalid body."),
            "404": error("No such task."),
            "409": error("The model cannot be called (no API key): see /api/model-status."),
          },
        },
      },
      "/api/tasks/{id}/diff": {
        get: {
          summary: "The diff of the best-ranked (or the given) attempt; ?format=patch gives git format-patch output",
          parameters: [
            idParam,
            { name: "format", in: "query", schema: { type: "string", enum: ["diff", "patch"] } },
            { name: "attempt", in: "query", schema: { type: "string" } },
          ],
          responses: {
            "200": { description: "A unified diff or a patch.", content: { "text/x-diff": {}, "text/x-patch": {} } },
            "404": error("No such task or attempt."),
            "409": error("No completed attempt yet, or nothing changed."),
          },
        },
      },
      "/api/tasks/{id}/commands/{item}/output": {
        get: {
          summary:
            "The whole output of a command whose event kept only head and tail (output_truncated), up to the environment's limits.output_bytes",
          parameters: [
            idParam,
            { name: "item", in: "path", required: true, schema: { type: "string" } },
            { name: "attempt", in: "query", schema: { type: "string" } },
            { name: "download", in: "query", schema: { type: "string", enum: ["0", "1"] } },
          ],
          responses: {
            "200": { description: "The command's output as text.", content: { "text/plain": {} } },
            "404": error("No such task, or no kept output for that command (its event holds it whole)."),
          },
        },
      },
      "/api/tasks/{id}/file": {
        get: {
          summary: "A file of the task's repository at the task's base commit (for citations)",
          parameters: [idParam, { name: "path", in: "query", required: true, schema: { type: "string" } }],
          responses: {
            "200": ok(
              "{ path, commit, size, binary, tooLarge, content }: content is empty when binary or too large (over 1 MiB).",
            ),
            "400": error("The path is not a relative path inside the tree, or names a directory."),
            "404": error("No such task, or no such file at that commit."),
            "409": error("The task has no base commit yet."),
          },
        },
      },
      "/api/tasks/{id}/deliver": {
        post: {
          summary:
            "Push the diff as a commit on a new branch, and open a pull / merge request when a token is configured; " +
            "on a task delivered before, push a new commit on top of its branch and comment on its pull request",
          parameters: [idParam],
          requestBody: body("Deliver"),
          responses: {
            "200": ok("{ delivery: { branch, commit, commits, updated, remote, pullRequest?, message } }"),
            "404": error("No such task or attempt."),
            "409": error(
              "Nothing to deliver, the diff no longer applies, a new branch named in the body already exists elsewhere, or someone else moved the branch delivered before.",
            ),
            "502": error("The push or the forge failed (the message says which)."),
          },
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
      ...usagePaths(),
      ...forgePaths(),
    },
    components: {
      schemas: {
        CreateRepository: schemaOf(createRepositoryBody),
        RenameRepository: schemaOf(renameRepositoryBody),
        CreateTask: schemaOf(createTaskBody),
        Message: schemaOf(messageBody),
        CreateEnvironment: schemaOf(createEnvironmentBody),
        UpdateEnvironment: schemaOf(updateEnvironmentBody),
        Secret: schemaOf(secretBody),
        Deliver: schemaOf(deliverBody),
        Error: schemaOf(errorBody),
        ...accountSchemas(),
      },
      securitySchemes,
    },
  };
}
