import path from "node:path";
import { redirect } from "next/navigation";
import { eq } from "drizzle-orm";
import { SignInForm } from "~/components/auth/sign-in-form";
import { db } from "~/db/client";
import { auditEvents } from "~/db/schema";
import { env } from "~/lib/env";
import { safeNext } from "~/lib/urls";
import { oidcConfigured } from "~/server/auth/better-auth";
import { currentViewer } from "~/server/auth/pages";
import { ADMIN_PASSWORD_FILE } from "~/server/workspaces/first-admin";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next, error } = await searchParams;
  if (await currentViewer()) redirect(safeNext(next));
  // Where the first password is, shown only until someone has signed in: after that it is nobody's business.
  const [firstSignIn] = await db().select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.action, "auth.sign-in")).limit(1);
  return (
    <SignInForm
      // As the operator configured the data directory (`.data` unless MILLRACE_DATA_DIR says otherwise).
      firstStartHint={firstSignIn ? null : path.join(env().MILLRACE_DATA_DIR, ADMIN_PASSWORD_FILE)}
      next={safeNext(next)}
      oidcName={oidcConfigured() ? env().OIDC_NAME : null}
      error={error === "oidc" ? "Single sign-on did not complete. Try again, or sign in with your password." : null}
    />
  );
}
