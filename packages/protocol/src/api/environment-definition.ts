/**
 * The keys of an environment definition, as written in `.quire/environment.toml`, in
 * `[environments.NAME]` tables of Quire's config.toml and in the API's `definition` (snake_case,
 * strict). core reads files with it; the API validates bodies with it.
 */
import { z } from "zod";

/** Names of variables and secrets: what a shell accepts as an environment variable name. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A host name, or "*.example.com" for its subdomains; no scheme, port or path. */
const DOMAIN = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const positiveInt = z.int().positive();

/**
 * `where` names the file kind in the message given when a secret's value is written in it.
 * zod's messages never quote the input, so a value written by mistake is not echoed back.
 */
export function environmentKeysShape(where: "repository" | "config") {
  const secretsMessage =
    where === "repository"
      ? 'secrets never live in the repository: list only their names (secrets = ["API_TOKEN"]) and store the values with `quire env secret set NAME`'
      : 'list only secret names here (secrets = ["API_TOKEN"]); values live in secrets.toml in Quire\'s home (`quire env secret set NAME`)';
  return {
    setup: z.string().optional(),
    maintenance: z.string().optional(),
    variables: z
      .record(z.string().regex(VARIABLE_NAME, "must be a variable name (letters, digits, _)"), z.string())
      .optional(),
    secrets: z.array(z.string().regex(VARIABLE_NAME, secretsMessage), { error: secretsMessage }).optional(),
    network: z
      .strictObject({
        mode: z.enum(["off", "allowlist", "on"]).optional(),
        domains: z
          .array(z.string().regex(DOMAIN, 'must be a host name like "example.com" or "*.example.com"'))
          .optional(),
        preset: z.boolean().optional(),
        methods: z.enum(["safe", "all"]).optional(),
      })
      .optional(),
    // No key here can open the host or a private network: only the operator's config can.
    setup_network: z
      .strictObject({
        mode: z.enum(["public", "allowlist"]).optional(),
        domains: z
          .array(z.string().regex(DOMAIN, 'must be a host name like "example.com" or "*.example.com"'))
          .optional(),
      })
      .optional(),
    limits: z
      .strictObject({
        command_timeout_ms: positiveInt.optional(),
        max_command_timeout_ms: positiveInt.optional(),
        task_timeout_ms: positiveInt.optional(),
        output_bytes: positiveInt.optional(),
        max_processes: positiveInt.optional(),
        memory_mb: positiveInt.optional(),
        cpu_seconds: positiveInt.optional(),
        file_size_mb: positiveInt.optional(),
        disk_mb: positiveInt.optional(),
      })
      .optional(),
    checks: z.array(z.string().trim().min(1, "must not be empty")).optional(),
    // MCP servers the agent may call: a command run inside the task's sandbox, or a URL reached
    // only if the network policy allows its host. Their env takes plain values: never secrets.
    mcp_servers: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "must be a name of letters, digits, _ and - (at most 32)"),
        z
          .strictObject({
            command: z.string().min(1).optional(),
            args: z.array(z.string()).optional(),
            env: z
              .record(z.string().regex(VARIABLE_NAME, "must be a variable name (letters, digits, _)"), z.string())
              .optional(),
            url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
          })
          .refine((server) => (server.command === undefined) !== (server.url === undefined), {
            message: "give either command (a stdio server run in the sandbox) or url, not both",
          }),
      )
      .optional(),
    cache_ttl_hours: z.number().positive().optional(),
  };
}

/** A repository's own definition (`.quire/environment.toml`, or the API's `definition`). */
export const repositoryEnvironmentSchema = z.strictObject(environmentKeysShape("repository"));
export type EnvironmentFileKeys = z.infer<typeof repositoryEnvironmentSchema>;
