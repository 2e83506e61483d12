/**
 * Keys and tokens. Everything derives from one master key (lib/env.ts `masterKey`): the session
 * signing secret and the secrets encryption key, each by HKDF with its own purpose. API tokens
 * and invitation tokens are random and stored only as SHA-256 hashes.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { masterKey } from "./env";

export function derivedKey(purpose: "auth" | "secrets"): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey(), Buffer.alloc(0), `millrace/${purpose}`, 32));
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A new bearer token: shown once; `hash` is what is stored, `prefix` what lists show. */
export function newToken(kind: "mr" | "mrk" | "inv" | "mrs") {
  const token = `${kind}_${randomBytes(24).toString("base64url")}`;
  return { token, hash: sha256(token), prefix: token.slice(0, kind.length + 7) };
}

/**
 * AES-256-GCM: 12-byte IV, 16-byte tag, then the ciphertext. `context` (e.g. the secret's
 * workspace and name) is bound as additional data: a sealed value copied to another row fails.
 */
export function seal(plaintext: string, context: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", derivedKey("secrets"), iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** The plaintext, or an error when the key, the context or the bytes are not the ones it was sealed with. */
export function unseal(sealed: Uint8Array, context: string): string {
  const buf = Buffer.from(sealed);
  const decipher = createDecipheriv("aes-256-gcm", derivedKey("secrets"), buf.subarray(0, 12));
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(buf.subarray(12, 28));
  return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString("utf8");
}

/** Whether two secrets are equal, in time that does not depend on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(expected).digest());
}
