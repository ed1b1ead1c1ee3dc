/**
 * Step 3 (policy): may this certificate sign image lists? Grid endorsers sign
 * with personal certificates and, at EGI AppDB, with host certificates, so
 * the default `grid` profile accepts both; `smime` is the e-mail profile.
 */
import { VmiListError } from '../errors.js';
import { KU, type Cert } from './certs.js';
import type { CertProfile } from './types.js';

/** Extended key usage OIDs that matter here. */
export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  any: '2.5.29.37.0',
} as const;

const ALLOWED_EKU: Readonly<Record<CertProfile, readonly string[]>> = {
  grid: [EKU.emailProtection, EKU.clientAuth, EKU.any],
  smime: [EKU.emailProtection],
};

/**
 * keyUsage, when present, must allow digitalSignature or nonRepudiation;
 * extKeyUsage, when present, must name a purpose of the profile.
 *
 * @throws VmiListError `ERR_CERT_USAGE`
 */
export function checkSignerUsage(signer: Cert, profile: CertProfile): void {
  if (signer.keyUsage && !signer.keyUsage.has(KU.digitalSignature) && !signer.keyUsage.has(KU.nonRepudiation)) {
    throw new VmiListError(
      'ERR_CERT_USAGE',
      `the signer certificate ${signer.dn} may not sign (keyUsage has neither digitalSignature nor nonRepudiation)`,
    );
  }
  const allowed = ALLOWED_EKU[profile];
  if (signer.extKeyUsage && !signer.extKeyUsage.some((p) => allowed.includes(p))) {
    const wanted = profile === 'grid' ? 'emailProtection or clientAuth' : 'emailProtection';
    throw new VmiListError(
      'ERR_CERT_USAGE',
      `the signer certificate ${signer.dn} is not for signing lists under the '${profile}' profile (extendedKeyUsage ${signer.extKeyUsage.join(', ')} lacks ${wanted})`,
    );
  }
}
