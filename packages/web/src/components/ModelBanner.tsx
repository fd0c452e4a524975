/**
 * Says, above everything, when the server cannot run tasks because its model has no API key, and
 * what to set: the server's own words (GET /api/model-status), the same it logs at start and
 * answers when a task is refused. Shows nothing when the model is ready or the server does not know.
 */
import { useEffect, useState } from "react";
import { request } from "../api/client";

interface ModelStatus {
  ready: boolean;
  provider: string;
  model: string;
  message: string | null;
}

export function ModelBanner() {
  const [status, setStatus] = useState<ModelStatus | null>(null);
  useEffect(() => {
    let live = true;
    request<{ model: ModelStatus | null }>("GET", "/api/model-status").then(
      (body) => live && setStatus(body.model),
      // An older server or a signed-out session: nothing to say here.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  if (!status || status.ready) return null;
  return (
    <div className="refusal model-banner" role="alert" data-testid="model-banner">
      <p className="refusal-title">
        <strong>Tasks cannot run: the model has no API key</strong>
      </p>
      <p>{status.message}</p>
      <p className="muted">
        Set it where <code>quire serve</code> runs, then restart it.
      </p>
    </div>
  );
}
