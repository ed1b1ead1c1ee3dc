/**
 * An endorser as a site names it: certificate subject and issuer DNs. Used by
 * the verifier's allow-list and by subscriptions alike, so it lives with the
 * X.509 names rather than in either of them.
 */

/** An accepted endorser principal: certificate subject and issuer DNs. */
export interface EndorserPrincipal {
  /** Subject DN (OpenSSL one-line or RFC 4514 form). */
  readonly dn: string;
  /** Issuer DN; when omitted, any issuer the trust store accepts. */
  readonly ca?: string;
}
