/** The token of an `Authorization: Bearer <token>` header; undefined for none or another scheme. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  return authorization ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
}
