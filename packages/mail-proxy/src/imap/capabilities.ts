/**
 * Capabilities the proxy never passes on from the upstream: the upstream's authentication (the
 * client is logged in already, and the proxy's own mechanisms are PLAIN and LOGIN), TLS (the
 * local channel's is the proxy's), and compression, which the proxy does not take part in.
 */
const WITHHELD = [
  /^AUTH=/i,
  /^LOGINDISABLED$/i,
  /^STARTTLS$/i,
  /^SASL-IR$/i,
  /^COMPRESS=/i,
  /^LOGIN-REFERRALS$/i,
];

/** The upstream's capabilities after login, as the client may be told them. */
export function clientCapabilities(upstream: readonly string[]): string[] {
  const kept = upstream.filter((capability) => !WITHHELD.some((pattern) => pattern.test(capability)));
  return kept.some((capability) => /^IMAP4rev1$/i.test(capability)) ? kept : ['IMAP4rev1', ...kept];
}

/** The capabilities in an IMAP line's `[CAPABILITY …]` code or `* CAPABILITY …` response, or `undefined`. */
export function capabilitiesIn(line: string): string[] | undefined {
  const match = /(?:^\* CAPABILITY |\[CAPABILITY )([^\]\r\n]*)/i.exec(line);
  return match === null ? undefined : (match[1] as string).trim().split(/\s+/);
}
