/** A token's value, right after it was created: the only time anyone sees it. */
import { CopyOnceField } from "./CopyOnceField";

export function NewTokenValue({ name, value, onDone }: { name: string; value: string; onDone(): void }) {
  return (
    <div className="new-token" role="region" aria-label="New token value">
      <p>
        <strong>Token {name} created.</strong> Copy it now: you won&apos;t see it again. Quire keeps only a hash of it.
      </p>
      <CopyOnceField label={`Value of ${name}`} value={value} copyLabel="Copy token" onDone={onDone} />
    </div>
  );
}
