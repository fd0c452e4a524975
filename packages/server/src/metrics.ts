/** Prometheus metrics, one registry per app so several apps (tests) never share counters. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route" | "status">;
  tasksCreated: Counter<"mode">;
  attemptsFinished: Counter<"status">;
  attemptsRunning: Gauge;
  attemptsRecovered: Counter;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: "quire_http_requests_total",
      help: "HTTP requests by route pattern and status.",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "quire_http_request_duration_seconds",
      help: "Time to the response's headers (for SSE, not the stream's life), by route pattern and status.",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    tasksCreated: new Counter({
      name: "quire_tasks_created_total",
      help: "Tasks created through the API.",
      labelNames: ["mode"],
      registers: [registry],
    }),
    attemptsFinished: new Counter({
      name: "quire_attempts_finished_total",
      help: "Attempts this process's workers finished, by outcome.",
      labelNames: ["status"],
      registers: [registry],
    }),
    attemptsRunning: new Gauge({
      name: "quire_attempts_running",
      help: "Attempts this process's workers are running now.",
      registers: [registry],
    }),
    attemptsRecovered: new Counter({
      name: "quire_attempts_recovered_total",
      help: "Attempts this process marked interrupted because their worker stopped renewing its lease.",
      registers: [registry],
    }),
  };
}
