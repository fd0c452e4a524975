/** Registers a repository (a local path or a git URL) so tasks can run against it. */
import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import type { Repository } from "@quire/protocol";

export function AddRepository({ onAdded, onCancel }: { onAdded(repository: Repository): void; onCancel(): void }) {
  const [name, setName] = useState("");
  const [source, setSource] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    const fallbackName =
      source
        .replace(/\/+$/, "")
        .split(/[/:]/)
        .pop()
        ?.replace(/\.git$/, "") ?? "repository";
    api
      .addRepository(name.trim() || fallbackName, source.trim())
      .then(onAdded)
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => setBusy(false));
  };

  return (
    <form className="add-repository" onSubmit={submit} aria-label="Add repository">
      <input
        aria-label="Repository path or URL"
        placeholder="Absolute path or git URL"
        value={source}
        onChange={(event) => setSource(event.target.value)}
        required
      />
      <input
        aria-label="Repository name"
        placeholder="Name (optional)"
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <div className="row">
        <button type="submit" disabled={busy || source.trim() === ""}>
          Add
        </button>
        <button type="button" className="quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && <p className="error-text">{error}</p>}
    </form>
  );
}
