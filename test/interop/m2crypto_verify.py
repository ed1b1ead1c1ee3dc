#!/usr/bin/env python3
"""Verify a signed image list the way the Python subscriber (vmcatcher's
smimeX509validation) does with M2Crypto: load the S/MIME message, put the
CA certificates in an X509_Store, hand the signer certificates from the
message to SMIME, and call SMIME.verify(p7, data).

Usage: m2crypto_verify.py --cafile BUNDLE.pem [--crlfile CRLS.pem]... SIGNED
Prints the verified content on stdout and exits 0; exits 1 with a message on
stderr when verification fails, 2 on bad usage.
"""
import argparse
import sys

from M2Crypto import BIO, SMIME, X509

# OpenSSL's X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL (M2Crypto does not name them).
CRL_CHECK_ALL = 0x4 | 0x8


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cafile", action="append", required=True, help="PEM file of trusted CA certificates")
    p.add_argument("--crlfile", action="append", default=[], help="PEM file of CRLs; enables CRL checks for the whole chain")
    p.add_argument("signed")
    a = p.parse_args()

    with open(a.signed, "rb") as f:
        buf = BIO.MemoryBuffer(f.read())
    try:
        p7, data = SMIME.smime_load_pkcs7_bio(buf)
    except SMIME.SMIME_Error as e:
        print("m2crypto: cannot load S/MIME: %s" % e, file=sys.stderr)
        return 1

    store = X509.X509_Store()
    for ca in a.cafile:
        store.load_info(ca)
    for crl in a.crlfile:
        store.load_info(crl)  # X509_STORE_load_locations reads CRLs from PEM too
    if a.crlfile:
        store.set_flags(CRL_CHECK_ALL)

    s = SMIME.SMIME()
    s.set_x509_store(store)
    s.set_x509_stack(p7.get0_signers(X509.X509_Stack()))
    try:
        content = s.verify(p7, data)
    except SMIME.PKCS7_Error as e:
        print("m2crypto: verification failed: %s" % e, file=sys.stderr)
        return 1
    sys.stdout.buffer.write(content)
    return 0


if __name__ == "__main__":
    sys.exit(main())
