/**
 * Posts one webhook: the body signed with HMAC-SHA256 under the webhook's secret, to an address the
 * destination rule allows (public, or what config.toml's `[outbound] allow_private` names). The
 * name is resolved once and the connection made to the address that was checked, so a name that
 * changes its answer in between cannot reach a private address. Redirects are not followed.
 */
import { createHmac } from "node:crypto";
import http from "node:http";
import https from "node:https";
import {
  checkedLookup,
  DESTINATION_REFUSED,
  DestinationRule,
  loadConfig,
  NO_OUTBOUND_ALLOWANCE,
  portOf,
  refusedLiteral,
} from "@quire/core";

export const SIGNATURE_HEADER = "x-quire-signature";

/** `sha256=<hex>`: the HMAC-SHA256 of the exact body bytes under the secret (like GitHub's). */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** The headers of a post: the same delivery id on every try, the signature of these exact bytes. */
export function webhookHeaders(secret: string, body: string, event: string, deliveryId: string) {
  return {
    [SIGNATURE_HEADER]: signBody(secret, body),
    "x-quire-event": event,
    "x-quire-delivery": deliveryId,
    "user-agent": "Quire-Webhook",
  };
}

/** config.toml's `[outbound]` as it is now: which private addresses webhooks may reach. */
export async function webhookDestinationRule(home: string): Promise<DestinationRule> {
  const config = await loadConfig(home).catch(() => null);
  return new DestinationRule(config?.outbound ?? NO_OUTBOUND_ALLOWANCE);
}

export interface PostOutcome {
  ok: boolean;
  statusCode: number | null;
  /** Why it failed, in words; never the URL's path or the secret. */
  error: string | null;
  /** Whether another try may help: not after a refused destination. */
  refused?: boolean;
}

const TIMEOUT_MS = 10_000;
/** Bytes of the receiver's answer read (and then dropped): enough to finish the exchange. */
const MAX_ANSWER_BYTES = 64 * 1024;

const refusal = (host: string): string =>
  `${host} resolves only to private or local addresses, which webhooks may not reach (config.toml [outbound] allow_private)`;

export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  rule: DestinationRule,
): Promise<PostOutcome> {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  const port = portOf(target);
  if (refusedLiteral(target, rule)) {
    return Promise.resolve({ ok: false, statusCode: null, error: refusal(target.host), refused: true });
  }
  return new Promise((resolve) => {
    const request = (secure ? https : http).request(target, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
      lookup: checkedLookup(rule, port, refusal),
      timeout: TIMEOUT_MS,
    });
    request.on("response", (response) => {
      let read = 0;
      response.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) response.destroy();
      });
      const done = (): void => {
        const code = response.statusCode ?? 0;
        const ok = code >= 200 && code < 300;
        resolve({ ok, statusCode: code, error: ok ? null : `the receiver answered HTTP ${code}` });
      };
      response.on("end", done);
      response.on("close", done);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    request.on("error", (error: NodeJS.ErrnoException) => {
      const message =
        error.code === DESTINATION_REFUSED ? error.message : `${target.host}: ${error.code ?? error.message}`;
      resolve({ ok: false, statusCode: null, error: message });
    });
    request.end(body);
  });
}
