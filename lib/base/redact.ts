/**
 * What leaves the package in a message, a log line or an output is scrubbed of secrets: every
 * known secret (an AccessKey secret, an STS token, a password) in each form a message can carry it
 * (as is, percent-encoded once, as a query string or a string to sign has it, and twice, as the
 * STS "string to sign" echoes an encoded query), and every URI cut to its origin (a URI's user
 * info, path and query can hold a token: a credentials URI such as https://host/creds?token=...).
 */

/** `text` with each secret replaced by *** and each URI by its scheme, host and port. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = scrubUris(text);
  for (const form of secretForms(secrets)) out = out.split(form).join('***');
  return out;
}

/** Every URI in `text` as scheme://host[:port]: no user info, path, query or fragment. */
export function scrubUris(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (uri) => {
    try {
      const url = new URL(uri);
      // Schemes without a host (mailto:, data:) keep nothing of theirs.
      return url.host ? `${url.protocol}//${url.host}` : `${url.protocol}(…)`;
    } catch {
      return '(a URI)';
    }
  });
}

/** RFC 3986 percent-encoding, as Alibaba's signers apply it (encodeURIComponent leaves !'()* alone). */
function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The forms a secret can take in a message, longest first so that no form is cut by a shorter one. */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < 4) continue;
    forms.add(secret);
    for (const encode of [percentEncode, encodeURIComponent]) {
      const once = encode(secret);
      const twice = encode(once);
      // Some servers write the hex digits in lower case (%2f).
      for (const form of [once, twice]) forms.add(form).add(form.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}
