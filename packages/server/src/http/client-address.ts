/** Who is at the other end of the connection, for throttling. */
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";

/**
 * The TCP peer's address (@hono/node-server puts Node's request in `c.env.incoming`). Never
 * `X-Forwarded-For`: any client can write it, so trusting it would let one client be many.
 * Undefined when the app is not served by Node's HTTP server (e.g. `app.request` in a script).
 */
export function clientAddress(c: Context): string | undefined {
  const bindings = c.env as Partial<HttpBindings> | undefined;
  return bindings?.incoming?.socket.remoteAddress;
}
