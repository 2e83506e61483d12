import { redirect } from "next/navigation";
import { SignInForm } from "~/components/auth/sign-in-form";
import { env } from "~/lib/env";
import { safeNext } from "~/lib/urls";
import { oidcConfigured } from "~/server/auth/better-auth";
import { currentViewer } from "~/server/auth/pages";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next, error } = await searchParams;
  if (await currentViewer()) redirect(safeNext(next));
  return (
    <SignInForm
      next={safeNext(next)}
      oidcName={oidcConfigured() ? env().OIDC_NAME : null}
      error={error === "oidc" ? "Single sign-on did not complete. Try again, or sign in with your password." : null}
    />
  );
}
