/** The usage page (`/usage`): the plan's live meter, then usage over a period with its CSV. */
import { LimitsMeter } from "./LimitsMeter";
import { UsageTable } from "./UsageTable";

export function UsagePage() {
  return (
    <div className="page usage-page">
      <header className="page-head">
        <h1>Usage</h1>
      </header>
      <p className="muted intro">
        What this workspace has used of its plan, and what its tasks cost. Limits count attempts: a task with three
        attempts uses three.
      </p>
      <LimitsMeter />
      <UsageTable />
    </div>
  );
}
