import { describe, expect, it } from "vitest";
import { sanitizeDetails } from "./audit.js";
import { effectiveScopes, expandScopes, roleAtLeast, scopesForRole } from "./roles.js";

describe("roles and scopes", () => {
  it("ranks roles", () => {
    expect(roleAtLeast("owner", "admin")).toBe(true);
    expect(roleAtLeast("admin", "owner")).toBe(false);
    expect(roleAtLeast("member", "member")).toBe(true);
    expect(roleAtLeast("viewer", "member")).toBe(false);
  });

  it("expands admin to everything and writes to reads", () => {
    expect(expandScopes(["tasks:write"])).toEqual(["tasks:read", "tasks:write"]);
    expect(expandScopes(["admin"])).toEqual(scopesForRole("owner"));
  });

  it("cuts a credential's scopes down to its user's role", () => {
    expect(effectiveScopes(["admin"], "viewer")).toEqual(["tasks:read", "repositories:read", "environments:read"]);
    expect(effectiveScopes(["tasks:write", "admin"], "member")).not.toContain("admin");
    expect(effectiveScopes(["tasks:read"], "owner")).toEqual(["tasks:read"]);
  });
});

describe("audit details", () => {
  it("redacts secret-named keys and token-like strings, at any depth", () => {
    expect(
      sanitizeDetails({
        name: "NPM_TOKEN",
        value: "s3cret",
        nested: { password: "pw", session_id: "abc", list: ["ok", "Bearer quire_abcDEF123-_x"] },
        note: "made quire_abcdef and kept it",
        count: 2,
      }),
    ).toEqual({
      name: "NPM_TOKEN",
      value: "[redacted]",
      nested: { password: "[redacted]", session_id: "[redacted]", list: ["ok", "Bearer [redacted]"] },
      note: "made [redacted] and kept it",
      count: 2,
    });
  });
});
