import { describe, expect, it } from "vitest";
import { forgeFor, forgeLinkFor, forgesConfig, forgesFromConfig, forgesFromEnv, parseRemoteUrl } from "./index.js";

describe("forgesConfig", () => {
  it("defaults to github.com and gitlab.com without tokens, no Gitea, and the mention @quire", () => {
    expect(forgesConfig.parse({})).toEqual({
      github: { apiUrl: "https://api.github.com", hosts: ["github.com"], members: {} },
      gitlab: { host: "https://gitlab.com", hosts: ["gitlab.com"], members: {} },
      gitea: { hosts: [], members: {} },
      mention: "quire",
    });
  });

  it("serves an enterprise instance's own host by default, and the hosts listed when given", () => {
    const config = forgesConfig.parse({
      github: { apiUrl: "https://ghe.example.com/api/v3/" },
      gitlab: { host: "https://gitlab.example.com", hosts: ["gitlab.example.com", "Git.Example.com"] },
    });
    expect(config.github).toEqual({
      apiUrl: "https://ghe.example.com/api/v3",
      hosts: ["ghe.example.com"],
      members: {},
    });
    expect(config.gitlab.hosts).toEqual(["gitlab.example.com", "git.example.com"]);
  });

  it("refuses API URLs that would send a token in clear, or are not http at all", () => {
    expect(forgesConfig.safeParse({ github: { apiUrl: "http://ghe.example.com/api/v3" } }).success).toBe(false);
    expect(forgesConfig.safeParse({ gitlab: { host: "ftp://gitlab.example.com" } }).success).toBe(false);
    expect(forgesConfig.safeParse({ gitlab: { host: "http://127.0.0.1:8080" } }).success).toBe(true);
    expect(forgesConfig.safeParse({ github: { hosts: ["https://github.com/acme"] } }).success).toBe(false);
  });
});

describe("forgesFromEnv", () => {
  it("takes tokens from GITHUB_TOKEN and GITLAB_TOKEN when the configuration gives none", () => {
    const forges = forgesFromEnv({ GITHUB_TOKEN: "ghp_fromenv", GITLAB_TOKEN: " glpat-fromenv \n" });
    expect(forges.github.token).toBe("ghp_fromenv");
    expect(forges.gitlab.token).toBe("glpat-fromenv");
  });

  it("keeps configured tokens over the environment, and ignores empty variables", () => {
    const forges = forgesFromEnv(
      { GITHUB_TOKEN: "ghp_fromenv", GITLAB_TOKEN: "" },
      { github: { token: "ghp_config" } },
    );
    expect(forges.github.token).toBe("ghp_config");
    expect(forges.gitlab.token).toBeUndefined();
  });

  it("does not read process.env by itself", () => {
    process.env.GITHUB_TOKEN = "ghp_ambient";
    try {
      expect(forgesFromEnv({}).github.token).toBeUndefined();
    } finally {
      delete process.env.GITHUB_TOKEN;
    }
  });
});

describe("forgeFor", () => {
  const forges = forgesFromEnv(
    { GITHUB_TOKEN: "ghp_t" },
    { gitlab: { host: "https://gitlab.example.com", hosts: ["gitlab.example.com"] } },
  );
  const target = (url: string) => forgeFor(parseRemoteUrl(url)!, forges);

  it("finds the GitHub owner and repository, and the GitLab project path (nested groups included)", () => {
    expect(target("git@github.com:acme/widgets.git")).toEqual({
      kind: "github",
      host: "github.com",
      owner: "acme",
      repo: "widgets",
      apiUrl: "https://api.github.com",
      token: "ghp_t",
    });
    expect(target("ssh://git@gitlab.example.com:2222/group/sub/widgets.git")).toEqual({
      kind: "gitlab",
      host: "gitlab.example.com",
      projectPath: "group/sub/widgets",
      apiHost: "https://gitlab.example.com",
      token: undefined,
    });
  });

  it("knows nothing of other hosts, nor of GitHub paths deeper than owner/repo", () => {
    expect(target("https://gitlab.com/acme/widgets.git")).toBeNull();
    expect(target("https://git.example.org/acme/widgets.git")).toBeNull();
    expect(target("https://github.com/acme/widgets/extra.git")).toBeNull();
  });
});

describe("forgesFromConfig", () => {
  it("reads [forges.*] from config.toml and the QUIRE_* variables, the environment winning", () => {
    const forges = forgesFromConfig(
      {
        GITHUB_TOKEN: "ghp_default_var",
        MY_GHE_TOKEN: "ghp_named_var",
        QUIRE_GITLAB_URL: "https://gitlab.from-env.example",
        QUIRE_GITLAB_WEBHOOK_SECRET: "gl-secret",
        GITEA_TOKEN: "gitea-token",
        QUIRE_GITEA_WEBHOOK_SECRET: "gitea-secret",
      },
      {
        mention: "helper",
        github: {
          api_url: "https://ghe.example.com/api/v3",
          token_env: "MY_GHE_TOKEN",
          members: { octocat: "o@example.com" },
        },
        gitlab: { url: "https://gitlab.from-file.example" },
        gitea: { url: "https://gitea.example.com", hosts: ["gitea.example.com", "git.example.com"] },
      },
    );
    expect(forges.mention).toBe("helper");
    expect(forges.github).toMatchObject({
      apiUrl: "https://ghe.example.com/api/v3",
      token: "ghp_named_var",
      hosts: ["ghe.example.com"],
      members: { octocat: "o@example.com" },
    });
    expect(forges.gitlab).toMatchObject({ host: "https://gitlab.from-env.example", webhookSecret: "gl-secret" });
    expect(forges.gitea).toMatchObject({
      url: "https://gitea.example.com",
      token: "gitea-token",
      webhookSecret: "gitea-secret",
    });
    expect(forgeLinkFor(parseRemoteUrl("https://git.example.com/team/app.git")!, forges)).toEqual({
      kind: "gitea",
      repo: "team/app",
    });
  });

  it("refuses a secret written into the file, and a variable name that is a value", () => {
    expect(() => forgesFromConfig({}, { github: { token: "ghp_in_the_file" } })).toThrow();
    expect(() => forgesFromConfig({}, { gitea: { token_env: "not a name" } })).toThrow();
    expect(() => forgesFromConfig({}, { gitea: { url: "http://gitea.example.com" } })).toThrow(/https/);
  });
});
