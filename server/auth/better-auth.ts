/**
 * Sign-in, sessions and sign-in accounts, by Better Auth: email and password (argon2id),
 * HTTP-only cookies, sessions that expire and can be revoked, sign-in attempts rate-limited in
 * Postgres (shared by every web process), and OpenID Connect when OIDC_* is configured.
 * Sign-up is closed: accounts come from invitations (server/workspaces) and the first start.
 */
import { randomUUID } from "node:crypto";
import { drizzleAdapter } from "@better-auth/drizzle-adapter";
import { hash, verify } from "@node-rs/argon2";
import { betterAuth } from "better-auth";
import { createAuthMiddleware, isAPIError } from "better-auth/api";
import { genericOAuth } from "better-auth/plugins";
import { db } from "~/db/client";
import { accounts, rateLimits, sessions, users, verifications } from "~/db/schema";
import { env } from "~/lib/env";
import { recordAudit } from "~/workflows/audit";
import { derivedKey } from "~/lib/crypto";
import { CLIENT_IP_HEADER } from "./client-ip";

const SESSION_DAYS = 7;

export const hashPassword = (password: string) => hash(password);

function create() {
  const e = env();
  const oidc =
    e.OIDC_ISSUER && e.OIDC_CLIENT_ID
      ? [
          genericOAuth({
            config: [
              {
                providerId: "oidc",
                discoveryUrl: `${e.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
                clientId: e.OIDC_CLIENT_ID,
                clientSecret: e.OIDC_CLIENT_SECRET,
                scopes: ["openid", "email", "profile"],
                pkce: true,
                // Like passwords, single sign-on opens no account: it signs in people who have one
                // (from an invitation or the first start), linked by their email.
                disableSignUp: true,
              },
            ],
          }),
        ]
      : [];
  return betterAuth({
    appName: "Millrace",
    baseURL: e.publicUrl,
    basePath: "/api/auth",
    secret: derivedKey("auth").toString("base64"),
    database: drizzleAdapter(db(), {
      provider: "pg",
      schema: { user: users, session: sessions, account: accounts, verification: verifications, rateLimit: rateLimits },
    }),
    // The identity provider is trusted to vouch for emails; a local account's email counts as
    // verified once its invitation was accepted (server/workspaces/service.ts).
    account: { accountLinking: { enabled: true, trustedProviders: ["oidc"] } },
    user: { additionalFields: { isAdmin: { type: "boolean", required: false, defaultValue: false, input: false } } },
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: 10,
      password: { hash: hashPassword, verify: ({ hash: h, password }) => verify(h, password) },
    },
    session: { expiresIn: SESSION_DAYS * 24 * 3600, updateAge: 24 * 3600 },
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 200,
      // Guessing passwords: a handful of tries a minute per client address.
      customRules: { "/sign-in/email": { window: 60, max: e.SIGN_IN_ATTEMPTS_PER_MINUTE } },
    },
    advanced: {
      cookiePrefix: "millrace",
      // Set by the web server from the socket (or TRUSTED_PROXY_HEADER), never by the client.
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      useSecureCookies: e.publicUrl.startsWith("https://"),
      database: { generateId: () => randomUUID() },
    },
    trustedOrigins: [e.publicUrl, ...e.allowedHosts.filter((h) => h !== "*").map((h) => `http://${h.includes(":") ? `[${h}]` : h}:${e.PORT}`)],
    plugins: oidc,
    hooks: {
      // A refused password sign-in is audited too (with the address; the password never).
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email" || !isAPIError(ctx.context.returned)) return;
        const email = typeof ctx.body?.email === "string" ? ctx.body.email.slice(0, 200) : null;
        await recordAudit(db(), { action: "auth.sign-in-failed", target: email, ip: ctx.request?.headers.get(CLIENT_IP_HEADER) ?? null });
      }),
    },
    databaseHooks: {
      session: {
        create: {
          after: async (session) => {
            await recordAudit(db(), { action: "auth.sign-in", actorUserId: session.userId, ip: session.ipAddress ?? null });
          },
        },
      },
    },
  });
}

const g = globalThis as unknown as { __millraceAuth?: ReturnType<typeof create> };

/** The process's Better Auth instance (kept on globalThis: Next may load this module twice). */
export function auth() {
  g.__millraceAuth ??= create();
  return g.__millraceAuth;
}

/** Whether OpenID Connect sign-in is configured (the sign-in page offers it). */
export const oidcConfigured = () => !!(env().OIDC_ISSUER && env().OIDC_CLIENT_ID);
