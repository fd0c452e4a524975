/** Repositories: a local path or a git URL registered in a workspace, and their branches. */
import { z } from "zod";
import { errorBody, timestamp } from "./common.js";
import { forgeLinkBody, forgeLinkSchema } from "./forges.js";

export const repositorySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    /** A local path or a git URL (without credentials: those are kept as the repository's secret). */
    source: z.string(),
    defaultBranch: z.string(),
    createdAt: timestamp,
    workspaceId: z.string().nullable(),
    /** Its forge project (comments and webhooks there reach it); null: not linked (docs/forges.md). */
    forge: forgeLinkSchema.nullable(),
    /** New and updated pull requests on its forge are reviewed on their own. */
    autoReview: z.boolean(),
  })
  .meta({ id: "Repository" });

export const branchSchema = z.object({ name: z.string(), commit: z.string() }).meta({ id: "Branch" });

export const createRepositoryBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    source: z.string().trim().min(1).max(4096).describe("A local path or a git URL."),
    defaultBranch: z.string().trim().min(1).max(255).optional(),
    forge: forgeLinkBody
      .optional()
      .describe("Its forge project; a URL on a configured forge host is linked without it."),
    autoReview: z.boolean().optional().describe("Review new and updated pull requests on its forge on their own."),
  })
  .strict()
  .meta({ id: "CreateRepository" });

export const renameRepositoryBody = z
  .object({ name: createRepositoryBody.shape.name.optional(), autoReview: z.boolean().optional() })
  .strict()
  .refine((body) => body.name !== undefined || body.autoReview !== undefined, "give name or autoReview")
  .meta({ id: "RenameRepository" });

export const repositoryResponse = z.object({ repository: repositorySchema });
export const repositoriesResponse = z.object({ repositories: z.array(repositorySchema) });
export const removedRepositoryResponse = z.object({
  repository: repositorySchema.extend({ removed: z.literal(true) }),
});
export const branchesResponse = z.object({ branches: z.array(branchSchema) });
/** 409 on register: the workspace has this source already; the body holds it. */
export const duplicateRepositoryBody = errorBody.extend({ repository: repositorySchema });

export type Repository = z.infer<typeof repositorySchema>;
export type Branch = z.infer<typeof branchSchema>;
export type CreateRepository = z.input<typeof createRepositoryBody>;
