#!/usr/bin/env python3
"""Sign an image list the way hepixvmitrust (vmilisttool) does with M2Crypto:
SMIME.load_key, SMIME.sign(data, PKCS7_DETACHED), then SMIME.write(out, p7,
data) for a multipart/signed message. --opaque signs without
PKCS7_DETACHED and writes the content inside the signature.

Usage: m2crypto_sign.py --cert CERT.pem --key KEY.pem [--digest sha256] [--opaque] IN OUT
"""
import argparse
import sys

from M2Crypto import BIO, SMIME


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--digest", default="sha256", help="hepixvmitrust used M2Crypto's default, sha1")
    p.add_argument("--opaque", action="store_true")
    p.add_argument("infile")
    p.add_argument("outfile")
    a = p.parse_args()

    with open(a.infile, "rb") as f:
        content = f.read()
    s = SMIME.SMIME()
    s.load_key(a.key, a.cert)
    flags = 0 if a.opaque else SMIME.PKCS7_DETACHED
    p7 = s.sign(BIO.MemoryBuffer(content), flags, a.digest)
    out = BIO.MemoryBuffer()
    if a.opaque:
        s.write(out, p7)
    else:
        s.write(out, p7, BIO.MemoryBuffer(content))
    with open(a.outfile, "wb") as f:
        f.write(out.read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
