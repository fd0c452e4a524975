/** What the forge routes need beyond the API context. */
import type { ApiContext } from "../http/api-context.js";

export interface ForgeSettings {
  /** Multi-user server: a commenter must map to a member of the repository's workspace. */
  multiUser: boolean;
}

export type ForgeContext = ApiContext & { forgeSettings: ForgeSettings };
