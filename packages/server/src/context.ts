/**
 * What every part of one server process shares — the API, its workers, the task service — built
 * once in service.ts, so that they agree on the database, the live event hub, the metrics, the
 * home and which local paths may be repository sources.
 */
import type { Logger } from "pino";
import type { EventHub } from "./events/event-hub.js";
import type { Metrics } from "./metrics.js";
import type { LocalSourcePolicy } from "./sources/local-source-policy.js";
import type { Repos } from "./storage/index.js";

export interface ServerContext {
  repos: Repos;
  /** Live streams of this process: workers publish to it, the API's SSE reads from it. */
  hub: EventHub;
  logger: Logger;
  metrics: Metrics;
  /** Quire's home: clones of repositories registered by URL, scratch space for tasks and delivery. */
  home: string;
  /** Which local paths may be repository sources: checked at registration and again by each attempt. */
  localSources: LocalSourcePolicy;
}
