/** What the routes share: storage, live events, the workers of this process, delivery settings. */
import type { ModelReadiness } from "@quire/core";
import type { Logger } from "pino";
import type { ForgesConfig } from "../delivery/index.js";
import type { AdmissionSettings } from "./admission.js";
import type { Repos } from "../storage/index.js";
import type { LocalSourcePolicy } from "../sources/local-source-policy.js";
import type { Dispatcher } from "../tasks/service.js";
import type { EventHub } from "../events/event-hub.js";
import type { Metrics } from "../metrics.js";

export interface DeliverySettings {
  author: { name: string; email: string };
  /** Tokens and hosts of GitHub / GitLab (see docs/delivery.md). */
  forges: ForgesConfig;
}

export interface ApiContext {
  repos: Repos;
  hub: EventHub;
  logger: Logger;
  metrics: Metrics;
  /** Quire's home: clones of repositories registered by URL, scratch space for delivery. */
  home: string;
  /** Absent in an API-only process: attempts then wait for workers elsewhere (PostgreSQL). */
  dispatcher?: Dispatcher;
  delivery: DeliverySettings;
  admission: AdmissionSettings;
  /** Which local paths may be repository sources (see worker/local-source-policy.ts). */
  localSources: LocalSourcePolicy;
  /** Whether this process's workers can call their model; absent when it does not know (tests, API-only). */
  modelStatus?: ModelReadiness;
}
