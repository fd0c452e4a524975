/**
 * Live events across processes: on PostgreSQL every append notifies EVENTS_CHANNEL with the task
 * id and its last seq (see events-repo.ts); a server listens and wakes its SSE streams, which
 * read storage unless they have sent that seq already (appends of this process reach them
 * directly).
 * A dropped connection is re-opened; streams lose nothing meanwhile, since they also wake on
 * their heartbeat and read from their last seq.
 */
import pg from "pg";
import type { Logger } from "pino";
import type { EventHub } from "../events/event-hub.js";
import { EVENTS_CHANNEL } from "../storage/index.js";

export interface EventListener {
  close(): Promise<void>;
}

export async function listenForEvents(url: string, hub: EventHub, logger: Logger): Promise<EventListener> {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on("notification", (message) => {
      if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
      const [taskId, seq] = message.payload.split(" ");
      const upTo = Number(seq);
      hub.publish(taskId!, Number.isInteger(upTo) ? { upTo } : {});
    });
    next.on("error", (error) => {
      logger.warn({ err: error }, "event listener connection lost; reconnecting");
      void next.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect().catch(() => undefined), 1_000);
    });
    await next.connect();
    await next.query(`LISTEN ${EVENTS_CHANNEL}`);
    client = next;
  };
  await connect();
  return {
    close: async () => {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
