/** The sign that the agent is still at it, and for how long. */
import { formatDuration } from "../../lib/format";
import { useNow } from "../../state/use-interval";

export function WorkingIndicator({ since }: { since: string | null }) {
  return (
    <div className="working" role="status">
      <span className="spinner" aria-hidden="true" />
      Working{since ? <> for {<Elapsed since={since} />}</> : "…"}
    </div>
  );
}

/** A clock from `since` to now, ticking every second. */
export function Elapsed({ since }: { since: string }) {
  const now = useNow(1000);
  return <span className="elapsed">{formatDuration(now - Date.parse(since))}</span>;
}
