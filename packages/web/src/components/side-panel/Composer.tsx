/**
 * The task composer: a prompt, where to run it (repository, branch, environment), how many
 * attempts, and Ask or Code. Ctrl/Cmd+Enter submits as Code, the common case.
 */
import { useEffect, useState, type KeyboardEvent } from "react";
import { api } from "../../api/client";
import type { Task, TaskMode } from "@quire/protocol";
import { ErrorOrRefusal, shownError, type ShownError } from "../RefusalNotice";
import { AddRepository } from "./AddRepository";
import { RepositoryButtons } from "./RepositoryButtons";
import { useComposerSources } from "./use-composer-sources";
import { AttachmentStrip } from "../images/AttachmentStrip";
import { useImageAttachments } from "../images/use-image-attachments";

export function Composer({ onCreated }: { onCreated(task: Task): void }) {
  const sources = useComposerSources();
  const { repositories, repositoryId, branches, environments } = sources;
  const [prompt, setPrompt] = useState("");
  const [branch, setBranch] = useState("");
  const [environmentId, setEnvironmentId] = useState("");
  const [attempts, setAttempts] = useState(1);
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  // A plan's refusal (429/403 with the limit) shows as such: which limit, and when to try again.
  const [error, setError] = useState<ShownError | null>(null);
  const images = useImageAttachments();

  const repository = repositories.find((candidate) => candidate.id === repositoryId);
  // A new repository starts on its default branch (or the first one it has).
  useEffect(() => {
    const names = branches.map((candidate) => candidate.name);
    setBranch(names.includes(repository?.defaultBranch ?? "") ? repository!.defaultBranch : (names[0] ?? ""));
    setEnvironmentId("");
  }, [branches, repository]);

  const ready = prompt.trim() !== "" && repositoryId !== "" && branch !== "" && !busy;

  const submit = (mode: TaskMode): void => {
    if (!ready) return;
    setBusy(true);
    setError(null);
    api
      .createTask({
        repo: repositoryId,
        ref: branch,
        mode,
        prompt: prompt.trim(),
        attempts,
        ...(environmentId ? { environment: environmentId } : {}),
        ...images.body(),
      })
      .then((task) => {
        setPrompt("");
        images.clear();
        onCreated(task);
      })
      .catch((failure: unknown) => setError(shownError(failure)))
      .finally(() => setBusy(false));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit("code");
    }
  };

  return (
    <section className="composer" aria-label="New task" {...images.dropTarget}>
      <textarea
        aria-label="Prompt"
        placeholder="Describe a task, or ask a question about the code (paste or drop images)"
        value={prompt}
        rows={4}
        onChange={(event) => setPrompt(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <AttachmentStrip images={images} />
      {adding ? (
        <AddRepository
          onCancel={() => setAdding(false)}
          onAdded={(added) => {
            setAdding(false);
            sources.reloadRepositories(added.id);
            sources.setRepositoryId(added.id);
          }}
        />
      ) : (
        <div className="pickers">
          <select
            aria-label="Repository"
            value={repositoryId}
            onChange={(event) => sources.setRepositoryId(event.target.value)}
          >
            {repositories.length === 0 && <option value="">No repository yet</option>}
            {repositories.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
          </select>
          <RepositoryButtons
            repository={repository}
            onAdd={() => setAdding(true)}
            onChanged={(select) => sources.reloadRepositories(select)}
          />
          <select aria-label="Branch" value={branch} onChange={(event) => setBranch(event.target.value)}>
            {branches.map((candidate) => (
              <option key={candidate.name} value={candidate.name}>
                {candidate.name}
              </option>
            ))}
          </select>
          <select
            aria-label="Environment"
            value={environmentId}
            onChange={(event) => setEnvironmentId(event.target.value)}
          >
            <option value="">Default environment</option>
            {environments.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
          </select>
          <select
            aria-label="Number of attempts"
            value={attempts}
            onChange={(event) => setAttempts(Number(event.target.value))}
          >
            {[1, 2, 3, 4].map((count) => (
              <option key={count} value={count}>
                {count === 1 ? "1 attempt" : `${count} attempts`}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="composer-actions">
        <span className="hint">Ctrl+Enter: Code</span>
        <button type="button" disabled={!ready} onClick={() => submit("ask")}>
          Ask
        </button>
        <button type="button" className="primary" disabled={!ready} onClick={() => submit("code")}>
          Code
        </button>
      </div>
      <ErrorOrRefusal error={error ?? (sources.error ? { message: sources.error, refusal: null } : null)} />
    </section>
  );
}
