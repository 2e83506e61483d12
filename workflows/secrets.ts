/**
 * Secrets: credentials that nodes use (a database connection string, a webhook key), stored
 * encrypted per workspace. Set and listed (names only) on the web side; read back in clear only
 * here, by the worker, when a node needs one.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "~/db/client";
import { secrets } from "~/db/schema";
import { unseal } from "~/lib/crypto";
import { UserError } from "~/lib/errors";

/** What a sealed secret is bound to: a value moved to another workspace or name does not open. */
export const secretContext = (workspaceId: string, name: string) => `secret:${workspaceId}:${name}`;

export async function readSecret(db: Db, workspaceId: string, name: string): Promise<string> {
  const [row] = await db
    .select({ sealed: secrets.sealed })
    .from(secrets)
    .where(and(eq(secrets.workspaceId, workspaceId), eq(secrets.name, name)));
  if (!row) throw new UserError(`secret '${name}' does not exist in this workspace`);
  try {
    return unseal(row.sealed, secretContext(workspaceId, name));
  } catch {
    throw new UserError(`secret '${name}' cannot be decrypted with this installation's key (was MILLRACE_SECRET_KEY or .data/secret-key changed?); set the secret again`);
  }
}

/**
 * The pieces of a secret that must not be shown: the value, and for a URL its password and
 * user:password part, raw and decoded (a library may quote either).
 */
function sensitiveParts(value: string): string[] {
  const parts = [value];
  try {
    const url = new URL(value);
    if (url.password) parts.push(url.password, decodeURIComponent(url.password), `${url.username}:${url.password}`);
  } catch {
    // not a URL: the value alone
  }
  return parts;
}

/** Replaces every occurrence of the secret values (and their sensitive parts) in a text: an error message, a log line. */
export function redact(text: string, values: Iterable<string>): string {
  let out = text;
  const parts = [...values].flatMap(sensitiveParts).sort((a, b) => b.length - a.length);
  for (const p of parts) if (p.length >= 4) out = out.split(p).join("[secret]");
  return out;
}
