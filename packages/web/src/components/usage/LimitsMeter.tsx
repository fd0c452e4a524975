/**
 * The live meter: each limit of the workspace's plan (`GET /api/usage/limits`) with what is used
 * of it as a bar, and when it next frees up (relative and absolute). Re-read every few seconds
 * while the page is visible, so a task started anywhere shows within moments. A server that
 * enforces no limits (`enforced: false`) shows recent usage instead of a plan that is not in force.
 */
import { useCallback, useEffect, useState } from "react";
import type { LimitStatus, UsageLimits } from "@quire/protocol";
import { accountsApi } from "../../api/accounts";
import { formatCost } from "../../lib/format";
import { formatWait, formatWhen, limitLabel, limitUnit, secondsUntil } from "../../lib/limits";
import { useSession } from "../../state/session";
import { useNow, useVisibleInterval } from "../../state/use-interval";
import { RecentUsage } from "./RecentUsage";

export const METER_REFRESH_MS = 3000;

export function LimitsMeter() {
  const { me } = useSession();
  const [limits, setLimits] = useState<UsageLimits | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(METER_REFRESH_MS);

  const load = useCallback(() => {
    accountsApi
      .limits()
      .then((fresh) => {
        setLimits(fresh);
        setError(null);
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, []);
  useEffect(load, [load]);
  useVisibleInterval(load, METER_REFRESH_MS);

  if (limits && !limits.enforced) {
    return (
      <section className="limits" aria-labelledby="limits-heading">
        <div className="section-head">
          <h2 id="limits-heading">No limits are in force</h2>
          <span className="muted">live: refreshed every {METER_REFRESH_MS / 1000} s</span>
        </div>
        <p className="muted">
          {me?.mode === "local" ? "This single-user server" : "This server"} applies no plan: any model, any number of
          attempts. Put a <code>plans.toml</code> in Quire&apos;s home to set limits. Usage is metered either way:
        </p>
        <RecentUsage refreshMs={METER_REFRESH_MS} />
      </section>
    );
  }

  return (
    <section className="limits" aria-labelledby="limits-heading">
      <div className="section-head">
        <h2 id="limits-heading">{limits ? `${limits.plan.title} plan` : "Plan"}</h2>
        <span className="muted">live: refreshed every {METER_REFRESH_MS / 1000} s</span>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <p className="muted">
        The windows roll: an attempt counts for 5 hours (or 7 days) from when it started, so room comes back one attempt
        at a time.
      </p>
      {limits && (
        <>
          <ul className="meters">
            {limits.limits.map((limit) => (
              <Meter key={limit.limit} limit={limit} now={now} />
            ))}
          </ul>
          <p className="entitlements muted" data-testid="entitlements">
            Up to {limits.entitlements.maxAttempts} attempt{limits.entitlements.maxAttempts === 1 ? "" : "s"} per task ·
            models {limits.entitlements.models.join(", ")} ·{" "}
            {limits.entitlements.maxTaskMinutes === null
              ? "no time limit per run"
              : `${limits.entitlements.maxTaskMinutes} min per run`}{" "}
            ·{" "}
            {limits.entitlements.maxTaskCostUsd === null
              ? "no cost limit per task"
              : `${formatCost(limits.entitlements.maxTaskCostUsd)} per task`}
          </p>
        </>
      )}
    </section>
  );
}

function Meter({ limit, now }: { limit: LimitStatus; now: number }) {
  const label = limitLabel(limit.limit);
  const unit = limitUnit(limit.limit);
  const share = limit.max === null ? 0 : limit.max === 0 ? 1 : Math.min(1, limit.used / limit.max);
  const tone = share >= 1 ? "full" : share >= 0.8 ? "high" : "ok";
  return (
    <li className="meter-row" data-limit={limit.limit}>
      <div className="meter-label">{label}</div>
      <div className="meter-count" data-testid="meter-count">
        {limit.max === null ? `${limit.used} ${unit} · unlimited` : `${limit.used} / ${limit.max} ${unit}`}
      </div>
      {limit.max !== null && (
        <div
          className={`meter-bar meter-${tone}`}
          role="meter"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={limit.max}
          aria-valuenow={Math.min(limit.used, limit.max)}
          aria-valuetext={`${limit.used} of ${limit.max} ${unit} used`}
        >
          <div className="meter-fill" style={{ width: `${share * 100}%` }} />
        </div>
      )}
      <p className="meter-reset muted" data-testid="meter-reset">
        {resetText(limit, now)}
      </p>
    </li>
  );
}

function resetText(limit: LimitStatus, now: number) {
  if (limit.max === null) return "No limit on this plan.";
  if (limit.limit === "concurrent_tasks") return "Frees up as running tasks end.";
  if (!limit.resetAt) return limit.used === 0 ? "Nothing counted in this window." : "";
  return (
    <>
      Next frees up in {formatWait(secondsUntil(limit.resetAt, now))},{" "}
      <time dateTime={limit.resetAt}>{formatWhen(limit.resetAt)}</time>.
    </>
  );
}
