/** What the routes share: storage, live events, the workers of this process, delivery settings. */
import type { ModelReadiness } from "@quire/core";
import type { ForgesConfig } from "../delivery/index.js";
import type { AdmissionSettings } from "./admission.js";
import type { Dispatcher } from "../tasks/service.js";
import type { ServerContext } from "../context.js";
import type { Notifier } from "../notifications/index.js";

export interface DeliverySettings {
  author: { name: string; email: string };
  /** Tokens and hosts of GitHub / GitLab (see docs/delivery.md). */
  forges: ForgesConfig;
}

export interface ApiContext extends ServerContext {
  /** Absent in an API-only process: attempts then wait for workers elsewhere (PostgreSQL). */
  dispatcher?: Dispatcher;
  delivery: DeliverySettings;
  admission: AdmissionSettings;
  /** Whether this process's workers can call their model; absent when it does not know (tests, API-only). */
  modelStatus?: ModelReadiness;
  /** Sends the workspaces' webhooks (task finished, failed, delivered); absent: none are sent. */
  notifier?: Notifier;
}
