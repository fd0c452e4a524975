/** Environments of a repository (docs/server.md): a definition, and secrets written, never read. */
import { z } from "zod";
import { timestamp } from "./common.js";
import { repositoryEnvironmentSchema } from "./environment-definition.js";

/** What may be shown about a secret: its name and version, never its value. */
export const secretInfoSchema = z
  .object({ name: z.string(), version: z.number().int(), updatedAt: timestamp })
  .meta({ id: "SecretInfo" });

/** A stored definition: checked with repositoryEnvironmentSchema when written. */
export const environmentDefinitionSchema = repositoryEnvironmentSchema.meta({ id: "EnvironmentDefinition" });

export const environmentSchema = z
  .object({
    id: z.string(),
    repositoryId: z.string(),
    name: z.string(),
    definition: environmentDefinitionSchema,
    secrets: z.array(secretInfoSchema),
    createdAt: timestamp,
    updatedAt: timestamp,
    workspaceId: z.string().nullable(),
  })
  .meta({ id: "Environment" });

const definitionKeys =
  "The keys of .quire/environment.toml: setup, maintenance, variables, secrets (names), setup_network, network, limits, checks.";

export const createEnvironmentBody = z
  .object({
    repo: z.string().min(1).describe("The repository's id."),
    name: z.string().trim().min(1).max(100),
    definition: z.record(z.string(), z.unknown()).default({}).describe(definitionKeys),
  })
  .strict()
  .meta({ id: "CreateEnvironment" });

export const updateEnvironmentBody = z
  .object({ definition: z.record(z.string(), z.unknown()).describe(definitionKeys) })
  .strict()
  .meta({ id: "UpdateEnvironment" });

export const secretBody = z
  .object({ value: z.string().min(1).max(65_536) })
  .strict()
  .meta({ id: "Secret" });

export const environmentsQuery = z.object({ repo: z.string().describe("The repository's id.") });

export const environmentResponse = z.object({ environment: environmentSchema });
export const environmentsResponse = z.object({ environments: z.array(environmentSchema) });
export const secretResponse = z.object({ secret: secretInfoSchema });

export type Environment = z.infer<typeof environmentSchema>;
export type EnvironmentDefinition = z.infer<typeof environmentDefinitionSchema>;
export type SecretInfo = z.infer<typeof secretInfoSchema>;
