import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { AccountMenu } from "~/components/auth/account-menu";
import { Providers } from "~/components/trpc";
import { themeScript, ThemeToggle } from "~/components/ui/theme";
import { currentViewer } from "~/server/auth/pages";
import "./globals.css";

export const metadata: Metadata = {
  title: "Millrace",
  description: "Draw an ML pipeline, run it durably, serve the model.",
  icons: { icon: "/favicon.svg" },
};

const nav = [
  ["/pipelines", "Pipelines"],
  ["/runs", "Runs"],
  ["/models", "Models"],
  ["/endpoints", "Endpoints"],
  ["/datasets", "Datasets"],
] as const;

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the request makes every page render per request, so each gets the proxy's CSP nonce.
  const nonce = /'nonce-([^']+)'/.exec((await headers()).get("content-security-policy") ?? "")?.[1];
  const viewer = await currentViewer();
  return (
    // The theme script sets the class before React hydrates: the server cannot know it.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="flex h-screen flex-col">
        <header className="flex items-center gap-6 border-b border-slate-200 bg-white px-4 py-2">
          <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
            <span className="inline-block h-5 w-5 rounded bg-gradient-to-br from-sky-500 to-indigo-600" aria-hidden />
            Millrace
          </Link>
          {viewer && (
            <nav className="flex gap-4 text-sm text-slate-600">
              {nav.map(([href, label]) => (
                <Link key={href} href={href} className="hover:text-slate-900">
                  {label}
                </Link>
              ))}
            </nav>
          )}
          <a href="/api/v1/openapi.json" className="ml-auto whitespace-nowrap text-xs text-slate-500 hover:text-slate-800">
            REST API (OpenAPI)
          </a>
          <ThemeToggle />
          {viewer && <AccountMenu viewer={viewer} />}
        </header>
        <Providers>
          <main className="min-h-0 flex-1">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
