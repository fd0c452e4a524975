import { describe, expect, it } from "vitest";
import { forgesFromEnv, forgeTargetOf, type ForgeKindName } from "../delivery/forges-config.js";
import { imageLinks, uploadLinks } from "./upload-links.js";

const UUID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const SECRET = "66dbcd21ec5d24ed6ea225176098d52b";

describe("imageLinks", () => {
  it("reads Markdown and HTML images in order, each once, and none from code", () => {
    const comment = [
      "@quire fix the layout, see ![the bug](https://github.com/user-attachments/assets/a1)",
      '<img width="300" alt="x" src="https://github.com/user-attachments/assets/b2">',
      '![titled](</uploads/abc/shot one.png>) and ![t](/attachments/c3 "a title")',
      "`![not this](https://x.test/inline)`",
      "```",
      "![nor this](https://x.test/fenced)",
      "```",
      "again ![the bug](https://github.com/user-attachments/assets/a1) and [a link](https://x.test/link)",
      "<IMG SRC=https://x.test/unquoted.png?a=1&amp;b=2>",
    ].join("\n");
    expect(imageLinks(comment)).toEqual([
      "https://github.com/user-attachments/assets/a1",
      "https://github.com/user-attachments/assets/b2",
      "/uploads/abc/shot one.png",
      "/attachments/c3",
      "https://x.test/unquoted.png?a=1&b=2",
    ]);
  });
});

describe("uploadLinks", () => {
  const target = (kind: ForgeKindName, url: string, repo = "acme/widgets") => {
    const input =
      kind === "github"
        ? { github: { apiUrl: url, token: "t" } }
        : kind === "gitlab"
          ? { gitlab: { host: url, token: "t" } }
          : { gitea: { url, token: "t" } };
    const forges = forgesFromEnv({}, input);
    return { forges, target: forgeTargetOf({ kind, repo }, forges)! };
  };
  const links = (kind: ForgeKindName, url: string, given: string[]) => {
    const { forges, target: forgeTarget } = target(kind, url);
    return uploadLinks(forgeTarget, forges, given);
  };

  it("takes GitHub's attachments on github.com with the token, nothing from elsewhere", () => {
    const found = links("github", "https://api.github.com", [
      "https://github.com/user-attachments/assets/a1-b2",
      "https://github.com/acme/widgets/assets/12/a1-b2",
      "https://github.com/settings/tokens",
      "https://evil.test/user-attachments/assets/a1",
      "//evil.test/user-attachments/assets/a1",
      "http://github.com/user-attachments/assets/a1",
      "javascript:alert(1)",
    ]);
    expect(found.map((entry) => ("request" in entry ? entry.request : entry.skipped))).toEqual([
      { url: "https://github.com/user-attachments/assets/a1-b2", headers: { authorization: "token t" } },
      { url: "https://github.com/acme/widgets/assets/12/a1-b2", headers: { authorization: "token t" } },
      "not an upload to GitHub",
      "not on GitHub's own host: only its uploads are fetched",
      "not on GitHub's own host: only its uploads are fetched",
      "not on GitHub's own host: only its uploads are fetched",
      "not an http(s) link",
    ]);
  });

  it("fetches GitLab's project uploads through its API, relative or absolute", () => {
    const api = `https://gitlab.example.test/api/v4/projects/acme%2Fwidgets/uploads/${SECRET}/shot.png`;
    const found = links("gitlab", "https://gitlab.example.test", [
      `/uploads/${SECRET}/shot.png`,
      `https://gitlab.example.test/acme/widgets/uploads/${SECRET}/shot.png`,
      `https://gitlab.example.test/other/project/uploads/${SECRET}/shot.png`,
      `https://gitlab.com/acme/widgets/uploads/${SECRET}/shot.png`,
    ]);
    expect(found.map((entry) => ("request" in entry ? entry.request : entry.skipped))).toEqual([
      { url: api, headers: { "private-token": "t" } },
      { url: api, headers: { "private-token": "t" } },
      "not an upload to GitLab",
      "not on GitLab's own host: only its uploads are fetched",
    ]);
  });

  it("fetches Gitea's attachments from the instance, under its sub-path too", () => {
    const found = links("gitea", "https://code.example.test/gitea", [
      `/gitea/attachments/${UUID}`,
      `https://code.example.test/gitea/acme/widgets/attachments/${UUID}`,
      "/gitea/attachments/not-a-uuid",
      `https://elsewhere.test/attachments/${UUID}`,
    ]);
    const request = {
      url: `https://code.example.test/gitea/attachments/${UUID}`,
      headers: { authorization: "token t" },
    };
    expect(found.map((entry) => ("request" in entry ? entry.request : entry.skipped))).toEqual([
      request,
      request,
      "not an upload to Gitea",
      "not on Gitea's own host: only its uploads are fetched",
    ]);
  });
});
