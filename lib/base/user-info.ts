/**
 * The user name and password in a URL (a proxy's, Redis's), read back as the user meant them: a
 * login field's password is put in percent-encoded, and a `%` typed into the URL as is (a
 * password "100%") is kept as it is instead of failing with "URI malformed" or turning into another
 * password.
 */

/** Percent-decoded; a `%` that starts no escape, or escapes that are not UTF-8, stay as typed. */
export function decodeUserInfo(value: string): string {
  return value.replace(/(?:%[0-9a-f]{2})+/gi, (escapes) => {
    try {
      return decodeURIComponent(escapes);
    } catch {
      return escapes;
    }
  });
}

/** The URL with its user name and password encoded the one way every reader decodes them. */
export function normalizeUserInfo(url: URL): URL {
  const out = new URL(url.href);
  if (out.username) out.username = encodeURIComponent(decodeUserInfo(out.username));
  if (out.password) out.password = encodeURIComponent(decodeUserInfo(out.password));
  return out;
}
