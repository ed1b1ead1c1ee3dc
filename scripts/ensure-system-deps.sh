#!/usr/bin/env bash
# Run before `npm test`: the browser tests need Debian's chromium (never a
# downloaded browser) and the interop tests use openssl and M2Crypto. When a
# piece is missing and we are root, install it with apt-get; otherwise say
# exactly what to install.
set -u
need=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
/usr/bin/python3 -c 'import M2Crypto' >/dev/null 2>&1 || need+=(python3-m2crypto)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "vmilist tests: installing ${need[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null && exit 0
  echo "vmilist tests: apt-get install ${need[*]} failed" >&2
  exit 1
fi
echo "vmilist tests need: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
# chromium is required; M2Crypto-only interop tests skip themselves when it is absent
case " ${need[*]} " in *" chromium "*|*" openssl "*) exit 1 ;; esac
exit 0
