import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { sessions } from "~/db/schema";
import { auth } from "../auth/better-auth";
import { resetPassword } from "./passwords";
import { createUserWithPassword } from "./service";

afterAll(async () => {
  await closeDb();
});

const signIn = (email: string, password: string) =>
  auth()
    .api.signInEmail({ body: { email, password } })
    .then(() => "signed in", (e: { status?: string }) => `refused ${e.status}`);

describe("password reset by an administrator", () => {
  it("sets a new password, ends the user's sessions, and the old password stops working", async () => {
    const user = await createUserWithPassword(db(), { email: "forgetful@example.com", name: "F", password: "old-password-123" });
    expect(await signIn("forgetful@example.com", "old-password-123")).toBe("signed in");
    expect((await db().select().from(sessions).where(eq(sessions.userId, user.id))).length).toBe(1);

    const fresh = await resetPassword(db(), "Forgetful@Example.com");
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await db().select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
    expect(await signIn("forgetful@example.com", "old-password-123")).toBe("refused UNAUTHORIZED");
    expect(await signIn("forgetful@example.com", fresh)).toBe("signed in");
    await expect(resetPassword(db(), "nobody@example.com")).rejects.toThrow("no account for nobody@example.com");
  });
});
