/**
 * The shape of `config.toml` in Quire's home, as a zod schema (snake_case, as written in the
 * file) and as the camelCase `QuireConfig` the rest of the code uses.
 */
import path from "node:path";
import { z } from "zod";
import { environmentKeysShape, type EnvironmentLayer, toEnvironmentLayer } from "../environments/definition-schema.js";
import type { ProviderName } from "../models/types.js";
import { type OutboundAllowance, parseAllowanceEntry } from "../network/operator-allowance.js";
import type { SandboxBackendName } from "../sandbox/types.js";

export const PROVIDER_NAMES = ["openai", "openai-chat", "anthropic"] as const satisfies readonly ProviderName[];
const SANDBOX_NAMES = ["bwrap", "none", "container"] as const satisfies readonly SandboxBackendName[];
const REASONING_EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh"] as const;

const positiveInt = z.int().positive();

/** The keys that describe a model; allowed at the top level and in every `[profiles.NAME]`. */
const modelKeysShape = {
  provider: z.enum(PROVIDER_NAMES).optional(),
  model: z.string().min(1).optional(),
  base_url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  // A name, so that the key itself stays out of the file (and out of error messages).
  api_key_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable (like OPENAI_API_KEY), not a key")
    .optional(),
  reasoning_effort: z.enum(REASONING_EFFORTS).optional(),
  context_window: positiveInt.optional(),
  max_output_tokens: positiveInt.optional(),
  // How long one model request may take (the SDKs' timeout); a long reasoning response takes minutes.
  request_timeout_ms: positiveInt.optional(),
  // False for a text-only model: a task with images is refused before it runs, and view_image is not offered.
  image_input: z.boolean().optional(),
};

const limitsSchema = z.strictObject({
  max_turns: positiveInt.optional(),
  max_wall_time_ms: positiveInt.optional(),
  max_tokens: positiveInt.optional(),
  command_timeout_ms: positiveInt.optional(),
  max_command_timeout_ms: positiveInt.optional(),
  tool_output_bytes: positiveInt.optional(),
  diff_inline_bytes: positiveInt.optional(),
});

export const configFileSchema = z
  .strictObject({
    ...modelKeysShape,
    /** Accepted for convenience; `api_key_env` is preferred so that no secret sits in the file. */
    api_key: z.string().min(1).optional(),
    sandbox: z.enum(SANDBOX_NAMES).optional(),
    /** The container backend: its engine and an image already pulled (many toolchains, like Codex's). */
    container: z
      .strictObject({ engine: z.enum(["podman", "docker"]).optional(), image: z.string().min(1).optional() })
      .optional(),
    profile: z.string().min(1).optional(),
    agents_md: z
      .strictObject({
        fallback_names: z.array(z.string().regex(/^[^/\\]+$/, "must be a file name, without a directory")).optional(),
        max_bytes: z.int().nonnegative().optional(),
      })
      .optional(),
    limits: limitsSchema.optional(),
    /**
     * The operator's word on outbound connections that setup, maintenance and repository URLs
     * make: private or local destinations they may reach besides the public internet.
     */
    outbound: z
      .strictObject({
        allow_private: z
          .array(
            z.string().superRefine((entry, ctx) => {
              const parsed = parseAllowanceEntry(entry);
              if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
            }),
          )
          .optional(),
      })
      .optional(),
    /** A multi-user server's repository sources: the only directories local paths may be under. */
    sources: z
      .strictObject({
        local_roots: z.array(z.string().refine((root) => path.isAbsolute(root), "must be an absolute path")).optional(),
      })
      .optional(),
    profiles: z.record(z.string(), z.strictObject(modelKeysShape)).optional(),
    /**
     * `[forges]`: GitHub, GitLab and Gitea for `quire serve` (docs/forges.md). Its keys are the
     * server's to check (packages/server delivery/forges-config.ts), so only its being a table is checked here.
     */
    forges: z.record(z.string(), z.unknown()).optional(),
    /** Overrides of repositories' `.quire/environment.toml`, key by key. */
    environments: z
      .record(
        z.string(),
        z.strictObject({
          ...environmentKeysShape("config"),
          repo: z
            .string()
            .refine(
              (repo) => repo === "*" || path.isAbsolute(repo),
              'must be an absolute path, or "*" for every repository',
            )
            .optional(),
        }),
      )
      .optional(),
  })
  .superRefine((file, ctx) => {
    if (file.api_key !== undefined && file.api_key_env !== undefined) {
      ctx.addIssue({ code: "custom", path: ["api_key"], message: "set either api_key or api_key_env, not both" });
    }
    if (file.profile !== undefined && !Object.hasOwn(file.profiles ?? {}, file.profile)) {
      const known = Object.keys(file.profiles ?? {}).join(", ") || "none";
      ctx.addIssue({
        code: "custom",
        path: ["profile"],
        message: `no [profiles.${file.profile}] table defines it (profiles: ${known})`,
      });
    }
    const limits = file.limits ?? {};
    if (
      limits.command_timeout_ms !== undefined &&
      limits.max_command_timeout_ms !== undefined &&
      limits.command_timeout_ms > limits.max_command_timeout_ms
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["limits", "command_timeout_ms"],
        message: "must not exceed limits.max_command_timeout_ms",
      });
    }
  });

export type ConfigFile = z.infer<typeof configFileSchema>;

export interface ModelKeys {
  provider?: ProviderName;
  model?: string;
  baseUrl?: string;
  /** Name of the environment variable that holds the API key. */
  apiKeyEnv?: string;
  reasoningEffort?: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  requestTimeoutMs?: number;
  /** False: the model is text-only (no images, no view_image). */
  imageInput?: boolean;
}

/** Only what the file sets: the agent's own defaults (defaultAgentLimits) fill in the rest. */
export interface ConfigLimits {
  maxTurns?: number;
  maxWallTimeMs?: number;
  maxTokens?: number;
  commandTimeoutMs?: number;
  maxCommandTimeoutMs?: number;
  toolOutputBytes?: number;
  diffInlineBytes?: number;
}

export interface QuireConfig extends ModelKeys {
  /** The file this came from; undefined when there was none and these are the defaults. */
  file?: string;
  /** Prefer `apiKeyEnv`: a key in the file is a secret at rest. */
  apiKey?: string;
  sandbox?: SandboxBackendName;
  container?: { engine?: "podman" | "docker"; image?: string };
  /** The profile used when no `--profile` flag is given. */
  profile?: string;
  agentsMd: { fallbackNames: string[]; maxBytes: number };
  limits: ConfigLimits;
  /** `[outbound]`: non-public destinations setup and repository URLs may reach (none by default). */
  outbound: OutboundAllowance;
  /** `[sources] local_roots`: where a multi-user server accepts local repository paths (none when absent). */
  localSourceRoots?: string[];
  profiles: Record<string, ModelKeys>;
  /** `[forges]` as written in the file (snake_case), checked by the server that reads it. */
  forges?: Record<string, unknown>;
  /** `[environments.NAME]` tables; absent when the file has none. */
  environments?: Record<string, EnvironmentOverride>;
}

/** An environment table of config.toml: the repository file's keys, plus which repository it is for. */
export interface EnvironmentOverride extends EnvironmentLayer {
  /** An absolute repository root, or "*"; absent: applies only when selected by name. */
  repo?: string;
}

type FileModelKeys = { [K in keyof typeof modelKeysShape]?: z.infer<(typeof modelKeysShape)[K]> };

/** Drops unset keys, so that `{ ...defaults, ...config.limits }` keeps the defaults. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function toModelKeys(keys: FileModelKeys): ModelKeys {
  return defined({
    provider: keys.provider,
    model: keys.model,
    baseUrl: keys.base_url,
    apiKeyEnv: keys.api_key_env,
    reasoningEffort: keys.reasoning_effort,
    contextWindow: keys.context_window,
    maxOutputTokens: keys.max_output_tokens,
    requestTimeoutMs: keys.request_timeout_ms,
    imageInput: keys.image_input,
  });
}

export function toQuireConfig(file: ConfigFile, defaultMaxBytes: number, path?: string): QuireConfig {
  const limits = file.limits ?? {};
  return defined({
    file: path,
    ...toModelKeys(file),
    apiKey: file.api_key,
    sandbox: file.sandbox,
    container: file.container,
    profile: file.profile,
    agentsMd: {
      fallbackNames: file.agents_md?.fallback_names ?? [],
      maxBytes: file.agents_md?.max_bytes ?? defaultMaxBytes,
    },
    limits: defined({
      maxTurns: limits.max_turns,
      maxWallTimeMs: limits.max_wall_time_ms,
      maxTokens: limits.max_tokens,
      commandTimeoutMs: limits.command_timeout_ms,
      maxCommandTimeoutMs: limits.max_command_timeout_ms,
      toolOutputBytes: limits.tool_output_bytes,
      diffInlineBytes: limits.diff_inline_bytes,
    }),
    outbound: { allowPrivate: file.outbound?.allow_private ?? [] },
    localSourceRoots: file.sources?.local_roots,
    forges: file.forges,
    profiles: Object.fromEntries(Object.entries(file.profiles ?? {}).map(([name, keys]) => [name, toModelKeys(keys)])),
    environments:
      file.environments &&
      Object.fromEntries(
        Object.entries(file.environments).map(([name, { repo, ...keys }]) => [
          name,
          defined({ ...toEnvironmentLayer(keys), repo }),
        ]),
      ),
  });
}
