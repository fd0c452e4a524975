import { describe, expect, it } from "vitest";
import { displayRemoteUrl, parseRemoteUrl } from "./index.js";
import { urlCredentials } from "./remote-url.js";

describe("parseRemoteUrl", () => {
  it.each([
    ["https://github.com/acme/widgets.git", "https", "github.com", "acme/widgets"],
    ["https://github.com/acme/widgets", "https", "github.com", "acme/widgets"],
    ["https://x-access-token:secret@GitHub.com/acme/widgets.git/", "https", "github.com", "acme/widgets"],
    ["http://127.0.0.1:8080/acme/widgets.git", "http", "127.0.0.1", "acme/widgets"],
    ["git@github.com:acme/widgets.git", "ssh", "github.com", "acme/widgets"],
    ["github.com:acme/widgets", "ssh", "github.com", "acme/widgets"],
    ["git@gitlab.example.com:/group/sub/project.git", "ssh", "gitlab.example.com", "group/sub/project"],
    ["ssh://git@gitlab.example.com:2222/group/sub/project.git", "ssh", "gitlab.example.com", "group/sub/project"],
    ["git+ssh://git@github.com/acme/widgets.git", "ssh", "github.com", "acme/widgets"],
    ["git://git.example.org/acme/widgets.git", "git", "git.example.org", "acme/widgets"],
    ["ssh://git@[::1]:22/acme/widgets.git", "ssh", "::1", "acme/widgets"],
  ])("reads %s", (url, scheme, host, repoPath) => {
    expect(parseRemoteUrl(url)).toEqual({ scheme, host, path: repoPath });
  });

  it.each([
    "/srv/git/widgets.git",
    "./widgets.git",
    "relative/dir:with-colon/repo",
    "file:///srv/git/acme/widgets.git",
    "https://github.com/widgets.git",
    "https://github.com/acme/../widgets.git",
    "ext::sh -c touch% /tmp/pwned",
    "https://",
  ])("finds no forge repository in %s", (url) => {
    expect(parseRemoteUrl(url)).toBeNull();
  });
});

describe("displayRemoteUrl", () => {
  it("drops passwords, and the user part of http(s) URLs where tokens hide", () => {
    expect(displayRemoteUrl("https://ghp_secret123@github.com/acme/widgets.git")).toBe(
      "https://github.com/acme/widgets.git",
    );
    expect(displayRemoteUrl("https://oauth2:glpat-secret@gitlab.com/g/p.git")).toBe("https://gitlab.com/g/p.git");
    expect(displayRemoteUrl("ssh://git:pw@host.example/acme/widgets.git")).toBe(
      "ssh://git@host.example/acme/widgets.git",
    );
  });

  it("leaves URLs without credentials and local paths as they are", () => {
    for (const url of ["https://github.com/acme/widgets.git", "git@github.com:acme/widgets.git", "/srv/git/w.git"]) {
      expect(displayRemoteUrl(url)).toBe(url);
    }
  });

  it("names embedded credentials for redaction, decoded and as written", () => {
    expect(urlCredentials("https://oauth2:p%40ss%2Fword@gitlab.com/g/p.git")).toEqual({
      REMOTE_USER: "oauth2",
      REMOTE_USER_ENCODED: "oauth2",
      REMOTE_PASSWORD: "p@ss/word",
      REMOTE_PASSWORD_ENCODED: "p%40ss%2Fword",
    });
    expect(urlCredentials("git@github.com:acme/widgets.git")).toEqual({});
  });
});
