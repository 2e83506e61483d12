import { describe, expect, it } from "vitest";
import { actions, can, refusal, roleGrants, roles, scopeGrants, scopes, type Principal } from "./policy";

const user: Principal = { kind: "user", userId: "u", email: "u@example.com", name: "u", isAdmin: false };
const token = (s: (typeof scopes)[number][]): Principal => ({ kind: "token", tokenId: "t", tokenKind: "personal", userId: "u", workspaceId: null, scopes: s, isAdmin: false });

describe("can", () => {
  it("gives each role exactly its grants, and nothing to anonymous or to a non-member", () => {
    expect(roleGrants).toEqual({ viewer: ["read"], editor: ["read", "edit", "run", "deploy"], owner: ["read", "edit", "run", "deploy", "manage"] });
    for (const role of roles) for (const action of actions) expect(can(user, action, role)).toBe(roleGrants[role].includes(action));
    for (const action of actions) {
      expect(can({ kind: "anonymous" }, action, "owner")).toBe(false);
      expect(can(user, action, null)).toBe(false);
    }
  });

  it("lets a token do only what both its scopes and its user's role allow, for every combination", () => {
    const subsets = Array.from({ length: 1 << scopes.length }, (_, mask) => scopes.filter((_, i) => mask & (1 << i)));
    for (const subset of subsets)
      for (const role of roles)
        for (const action of actions) {
          const byScopes = subset.some((s) => scopeGrants[s].includes(action));
          expect(can(token(subset), action, role)).toBe(byScopes && roleGrants[role].includes(action));
        }
  });

  it("says why it refused, in words", () => {
    expect(refusal(user, "run", "viewer")).toBe("as a viewer of this workspace you cannot start or cancel runs");
    expect(refusal(token(["read"]), "edit", "owner")).toBe("this token's scopes (read) do not allow it to change pipelines and datasets");
  });
});
