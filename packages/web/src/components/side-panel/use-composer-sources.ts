/** What the composer picks from: repositories, then the chosen repository's branches and environments. */
import { useCallback, useEffect, useState } from "react";
import { ENVIRONMENTS_CHANGED, api } from "../../api/client";
import type { Branch, Environment, Repository } from "@quire/protocol";

const LAST_REPOSITORY = "quire.lastRepository";

export interface ComposerSources {
  repositories: Repository[];
  repositoryId: string;
  setRepositoryId(id: string): void;
  branches: Branch[];
  environments: Environment[];
  error: string | null;
  reloadRepositories(select?: string): void;
}

export function useComposerSources(): ComposerSources {
  const [repositories, setRepositories] = useState<Repository[]>([]);
  const [repositoryId, setRepositoryIdState] = useState("");
  const [branches, setBranches] = useState<Branch[]>([]);
  const [environments, setEnvironments] = useState<Environment[]>([]);
  const [error, setError] = useState<string | null>(null);

  const setRepositoryId = useCallback((id: string) => {
    setRepositoryIdState(id);
    window.localStorage.setItem(LAST_REPOSITORY, id);
  }, []);

  const reloadRepositories = useCallback((select?: string) => {
    api
      .repositories()
      .then((list) => {
        setRepositories(list);
        const remembered = select ?? window.localStorage.getItem(LAST_REPOSITORY) ?? "";
        const chosen = list.find((repository) => repository.id === remembered) ?? list[0];
        setRepositoryIdState(chosen?.id ?? "");
      })
      .catch((failure: unknown) => setError(String(failure instanceof Error ? failure.message : failure)));
  }, []);

  useEffect(() => reloadRepositories(), [reloadRepositories]);

  // The environments page adds and removes them while the composer stays on screen.
  const [environmentsVersion, setEnvironmentsVersion] = useState(0);
  useEffect(() => {
    const onChange = (): void => setEnvironmentsVersion((version) => version + 1);
    window.addEventListener(ENVIRONMENTS_CHANGED, onChange);
    return () => window.removeEventListener(ENVIRONMENTS_CHANGED, onChange);
  }, []);
  useEffect(() => {
    if (!repositoryId || environmentsVersion === 0) return;
    let current = true;
    api
      .environments(repositoryId)
      .then((fresh) => current && setEnvironments(fresh))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [repositoryId, environmentsVersion]);

  useEffect(() => {
    setBranches([]);
    setEnvironments([]);
    if (!repositoryId) return;
    let current = true;
    Promise.all([api.branches(repositoryId), api.environments(repositoryId)])
      .then(([freshBranches, freshEnvironments]) => {
        if (!current) return;
        setBranches(freshBranches);
        setEnvironments(freshEnvironments);
        setError(null);
      })
      .catch((failure: unknown) => current && setError(failure instanceof Error ? failure.message : String(failure)));
    return () => {
      current = false;
    };
  }, [repositoryId]);

  return { repositories, repositoryId, setRepositoryId, branches, environments, error, reloadRepositories };
}
