#!/usr/bin/env bash
# Regenerates the vmilist test vectors: a small grid PKI, IGTF-layout trust
# directories, image files, image lists, signed messages and manifest.json
# (expected verdicts plus what `openssl smime -verify` says for each case).
#
#   bash vectors/build.sh               # keep existing private keys
#   bash vectors/build.sh --fresh-keys  # new key material for every entity
#
# Everything except key material and signature bytes (and the signingTime
# attribute openssl puts in every signature) is fixed: validity dates,
# serials, CRL dates and numbers, list contents, image bytes. With the keys
# kept, certificates and CRLs come out byte-identical (RSA PKCS#1 v1.5 CA
# signatures are deterministic); only the CMS signatures change.
#
# Tools: /usr/bin/openssl (3.0) for all crypto; coreutils/awk/sed for
# byte surgery; node only to assemble manifest.json and the README table.
set -euo pipefail
export LC_ALL=C TZ=UTC

OSSL=/usr/bin/openssl
V="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
W="$(mktemp -d "${TMPDIR:-/tmp}/vmilist-vectors.XXXXXX")"
trap 'rm -rf "$W"' EXIT

FRESH_KEYS=0
[[ "${1:-}" == "--fresh-keys" ]] && FRESH_KEYS=1

# A minimal config so the host's openssl.cnf cannot change the output.
cat > "$W/req.cnf" <<'EOF'
[ req ]
distinguished_name = dn
string_mask = utf8only
[ dn ]
EOF
export OPENSSL_CONF="$W/req.cnf"

die() { echo "build.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- layout
KEEP_KEYS="$W/keys"; mkdir -p "$KEEP_KEYS"
if [[ $FRESH_KEYS -eq 0 && -d "$V/pki" ]]; then
  cp "$V"/pki/*.key.pem "$KEEP_KEYS"/ 2>/dev/null || true
fi
rm -rf "$V/pki" "$V/trust" "$V/trust-nocrl" "$V/lists" "$V/images" "$V/signed" "$V/manifest.json"
mkdir -p "$V/pki/der" "$V/trust" "$V/trust-nocrl" "$V/lists" "$V/images" "$V/signed"
P="$V/pki"

# ---------------------------------------------------------------- keys
# newkey NAME rsa|p256|p384 — PKCS#8 PEM, reused from the previous run unless --fresh-keys.
newkey() {
  local name=$1 kind=$2 out="$P/$1.key.pem"
  if [[ -f "$KEEP_KEYS/$name.key.pem" ]]; then cp "$KEEP_KEYS/$name.key.pem" "$out"; return; fi
  case $kind in
    rsa)  $OSSL genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out" 2>/dev/null ;;
    p256) $OSSL genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$out" ;;
    p384) $OSSL genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out "$out" ;;
  esac
}

# ---------------------------------------------------------------- CA databases
# mkca NAME — an `openssl ca` working directory; certificate and key are pki/NAME.{pem,key.pem}.
mkca() {
  local d="$W/ca-$1"
  mkdir -p "$d/new"; : > "$d/index.txt"
  cat > "$d/ca.cnf" <<EOF
[ ca ]
default_ca = this
[ this ]
dir              = $d
database         = \$dir/index.txt
new_certs_dir    = \$dir/new
serial           = \$dir/serial
crlnumber        = \$dir/crlnumber
certificate      = $P/$1.pem
private_key      = $P/$1.key.pem
default_md       = sha256
policy           = policy_any
unique_subject   = no
email_in_dn      = yes
crl_extensions   = crl_ext
[ policy_any ]
commonName       = supplied
[ crl_ext ]
authorityKeyIdentifier = keyid:always

[ ext_ca ]
basicConstraints       = critical,CA:TRUE
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ext_subca ]
basicConstraints       = critical,CA:TRUE
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
certificatePolicies    = 1.3.6.1.4.1.99999.1.1

# personal grid certificate (like a CERN/IGTF user certificate)
[ ext_user ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,nonRepudiation,keyEncipherment
extendedKeyUsage       = clientAuth,emailProtection
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
certificatePolicies    = 1.3.6.1.4.1.99999.1.1

# personal certificate with keyUsage but no extendedKeyUsage extension at all
[ ext_user_noeku ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# EC personal certificate (no keyEncipherment for EC keys)
[ ext_user_ec ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,nonRepudiation
extendedKeyUsage       = clientAuth,emailProtection
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# personal certificate with an e-mail address
[ ext_user_mail ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,nonRepudiation
extendedKeyUsage       = clientAuth,emailProtection
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = email:carol@vmilist-test.org

# host certificate (like EGI AppDB's signing certificate)
[ ext_host ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth,clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:appdb.vmilist-test.org

[ ext_wrongku ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,keyEncipherment
extendedKeyUsage       = clientAuth,emailProtection
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ext_wrongeku ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,nonRepudiation
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# a CA certificate used as a signer
[ ext_caleaf ]
basicConstraints       = critical,CA:TRUE
keyUsage               = critical,digitalSignature,nonRepudiation,keyCertSign,cRLSign
extendedKeyUsage       = clientAuth,emailProtection
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
}

# issue CA NAME SUBJECT SERIAL(hex) START END EXT — pki/NAME.pem signed by CA (CA=self: self-signed).
issue() {
  local ca=$1 name=$2 subj=$3 serial=$4 start=$5 end=$6 ext=$7 d
  local dbca=$ca; [[ $ca == self ]] && dbca=$name
  d="$W/ca-$dbca"
  $OSSL req -new -key "$P/$name.key.pem" -subj "$subj" -out "$W/$name.csr"
  echo "$serial" > "$d/serial"
  local self=(); [[ $ca == self ]] && self=(-selfsign)
  $OSSL ca -config "$d/ca.cnf" -batch -notext -preserveDN "${self[@]}" \
    -startdate "$start" -enddate "$end" -extensions "$ext" \
    -in "$W/$name.csr" -out "$P/$name.pem" 2>"$W/$name.ca.log" || { cat "$W/$name.ca.log" >&2; die "issuing $name failed"; }
  local got; got="$($OSSL x509 -in "$P/$name.pem" -noout -subject -nameopt compat)"
  [[ "${got#subject=}" == "$subj" ]] || die "$name: subject came out as '$got', wanted '$subj'"
}

# gencrl CA OUT CRLNUMBER LASTUPDATE NEXTUPDATE
gencrl() {
  local d="$W/ca-$1"
  echo "$3" > "$d/crlnumber"
  $OSSL ca -config "$d/ca.cnf" -gencrl -crl_lastupdate "$4" -crl_nextupdate "$5" -out "$2" 2>"$W/crl.log" \
    || { cat "$W/crl.log" >&2; die "CRL for $1 failed"; }
}

# revoke CA SERIAL DATE REASON — marks the index entry revoked at a fixed date
# (`openssl ca -revoke` would stamp the current time).
revoke() {
  local idx="$W/ca-$1/index.txt"
  awk -F'\t' -v OFS='\t' -v s="$2" -v r="$3,$4" '$4==s {$1="R"; $3=r} {print}' "$idx" > "$idx.new"
  mv "$idx.new" "$idx"
  grep -q "^R.*	$2	" "$idx" || die "revoke: serial $2 not found"
}

# flip FILE OFFSET — XOR one byte with 0x01, in place.
flip() {
  local b; b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  # shellcheck disable=SC2059
  printf "$(printf '\\%03o' $(( b ^ 1 )))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

ROOT_DN="/DC=org/DC=vmilist-test/CN=Test Root CA"
GRID_DN="/DC=org/DC=vmilist-test/CN=Test Grid CA"
OTHER_DN="/DC=org/DC=elsewhere/CN=Other CA"
U="/DC=org/DC=vmilist-test/OU=Users"

CA_START=250101000000Z; CA_END=450101000000Z
EE_START=250101000000Z; EE_END=400101000000Z

for k in root intermediate other-ca alice bob host expired notyet revoked wrongku wrongeku caleaf mallory eve; do newkey $k rsa; done
newkey carol p256
newkey dave p384

mkca root; mkca intermediate; mkca other-ca

issue self     root         "$ROOT_DN"  01 $CA_START $CA_END ext_ca
issue root     intermediate "$GRID_DN"  02 $CA_START $CA_END ext_subca
issue self     other-ca     "$OTHER_DN" 01 $CA_START $CA_END ext_ca

issue intermediate alice    "$U/CN=Alice Endorser"                                        1001 $EE_START $EE_END ext_user
issue intermediate bob      "/DC=org/DC=vmilist-test/OU=Organic Units/OU=Users/CN=bobend/CN=424242/CN=Bob Endorser" 1002 $EE_START $EE_END ext_user_noeku
issue intermediate carol    "$U/CN=Carol Endorser/emailAddress=carol@vmilist-test.org"   1003 $EE_START $EE_END ext_user_mail
issue intermediate dave     "$U/CN=Dave Endorser"                                         1004 $EE_START $EE_END ext_user_ec
issue intermediate host     "/DC=org/DC=vmilist-test/OU=Hosts/CN=appdb.vmilist-test.org" 1005 $EE_START $EE_END ext_host
issue intermediate expired  "$U/CN=Erin Expired"                                          1006 200101000000Z 210101000000Z ext_user
issue intermediate notyet   "$U/CN=Nora Notyet"                                           1007 300101000000Z 350101000000Z ext_user
issue intermediate revoked  "$U/CN=Rex Revoked"                                           1008 $EE_START $EE_END ext_user
issue intermediate wrongku  "$U/CN=Kim Wrongku"                                           1009 $EE_START $EE_END ext_wrongku
issue intermediate wrongeku "$U/CN=Ed Wrongeku"                                           100A $EE_START $EE_END ext_wrongeku
issue intermediate caleaf   "/DC=org/DC=vmilist-test/CN=Rogue Signing CA"                 100B $EE_START $EE_END ext_caleaf
issue intermediate mallory  "/DC=org/DC=intruder/CN=Mallory"                              100C $EE_START $EE_END ext_user
issue other-ca     eve      "/DC=org/DC=elsewhere/OU=Users/CN=Eve Outsider"               2001 $EE_START $EE_END ext_user

# Traditional ("BEGIN RSA PRIVATE KEY") copy of alice's key, as grid tools keep userkey.pem.
$OSSL rsa -in "$P/alice.key.pem" -traditional -out "$P/alice.rsa.key.pem" 2>/dev/null
grep -q 'BEGIN RSA PRIVATE KEY' "$P/alice.rsa.key.pem" || die "alice.rsa.key.pem is not traditional"

# CRLs. The stale one is made before the revocation (it predates it).
gencrl intermediate "$P/intermediate.stale.crl.pem" 01 20250101000000Z 20250201000000Z
revoke intermediate 1008 250601000000Z keyCompromise
gencrl intermediate "$P/intermediate.crl.pem"       02 20260101000000Z 20400101000000Z
gencrl root         "$P/root.crl.pem"               01 20260101000000Z 20400101000000Z
gencrl other-ca     "$P/other-ca.crl.pem"           01 20260101000000Z 20400101000000Z
# Bad signature: the fresh intermediate CRL with one bit of its signature flipped.
$OSSL crl -in "$P/intermediate.crl.pem" -outform DER -out "$W/bad.crl.der"
flip "$W/bad.crl.der" $(( $(stat -c %s "$W/bad.crl.der") - 7 ))
$OSSL crl -inform DER -in "$W/bad.crl.der" -out "$P/intermediate.badsig.crl.pem"
# (openssl crl exits 0 either way; it prints "verify OK" or "verify failure".)
$OSSL crl -in "$P/intermediate.badsig.crl.pem" -CAfile "$P/intermediate.pem" -noout 2>&1 | grep -q 'verify failure' \
  || die "the bad-signature CRL verifies"
$OSSL crl -in "$P/intermediate.crl.pem" -CAfile "$P/intermediate.pem" -noout 2>&1 | grep -q 'verify OK' \
  || die "the fresh intermediate CRL does not verify"
$OSSL crl -in "$P/intermediate.crl.pem" -noout -text | grep -q 'Serial Number: 1008' || die "revoked serial missing from CRL"

# DER copies for loaders that take DER.
$OSSL x509 -in "$P/root.pem"         -outform DER -out "$P/der/root.der"
$OSSL x509 -in "$P/intermediate.pem" -outform DER -out "$P/der/intermediate.der"
$OSSL x509 -in "$P/alice.pem"        -outform DER -out "$P/der/alice.der"
$OSSL crl  -in "$P/intermediate.crl.pem" -outform DER -out "$P/der/intermediate.crl.der"
# pkcs8 -topk8: `pkey -outform DER` writes an RSA key as PKCS#1, not PKCS#8
$OSSL pkcs8 -topk8 -nocrypt -in "$P/alice.key.pem" -outform DER -out "$P/der/alice.key.p8.der"
cat "$P/intermediate.pem" "$P/root.pem" > "$P/chain.pem"

# Namespaces for the intermediate: EACL (.namespaces, regular expressions) and Globus (.signing_policy, globs).
cat > "$P/intermediate.namespaces" <<EOF
##############################################################################
#NAMESPACES-VERSION: 1.0
#
# @(#)intermediate.namespaces - vmilist test vectors
# CA alias    : vmilist-test-grid-ca
#    subord_of: vmilist-test-root-ca
#    subjectDN: $GRID_DN
#
TO Issuer "$GRID_DN" \\
  PERMIT Subject "/DC=org/DC=vmilist-test/.*"
EOF
cat > "$P/intermediate.signing_policy" <<EOF
# vmilist test vectors: signing policy of the Test Grid CA
access_id_CA   X509   '$GRID_DN'
pos_rights     globus CA:sign
cond_subjects  globus '"/DC=org/DC=vmilist-test/*"'
EOF

# ---------------------------------------------------------------- IGTF trust directories
hash_of() { $OSSL x509 -in "$1" -noout -subject_hash; }
RH=$(hash_of "$P/root.pem"); IH=$(hash_of "$P/intermediate.pem")
for t in trust trust-nocrl; do
  cp "$P/root.pem" "$V/$t/$RH.0"; cp "$P/intermediate.pem" "$V/$t/$IH.0"
  cp "$P/intermediate.namespaces" "$V/$t/$IH.namespaces"
  cp "$P/intermediate.signing_policy" "$V/$t/$IH.signing_policy"
  echo "http://crl.vmilist-test.org/root.crl" > "$V/$t/$RH.crl_url"
  echo "http://crl.vmilist-test.org/grid.crl" > "$V/$t/$IH.crl_url"
  cat > "$V/$t/$IH.info" <<EOF
# vmilist test vectors - Test Grid CA (not a real IGTF distribution)
alias = vmilist-test-grid-ca
crl_url = http://crl.vmilist-test.org/grid.crl
email = ca@vmilist-test.org
status = accredited:classic
subjectdn = $GRID_DN
version = 1.0-1
EOF
done
cp "$P/root.crl.pem" "$V/trust/$RH.r0"; cp "$P/intermediate.crl.pem" "$V/trust/$IH.r0"

# ---------------------------------------------------------------- images
# Deterministic pseudo-random bytes: AES-128-CTR keystream with a fixed key.
mkimage() {
  head -c "$2" /dev/zero | $OSSL enc -aes-128-ctr -nosalt -K "$3" -iv 00000000000000000000000000000000 > "$V/images/$1"
}
mkimage tiny-linux-x86_64.img   8192 000102030405060708090a0b0c0d0e0f
mkimage tiny-linux-aarch64.img  6144 101112131415161718191a1b1c1d1e1f
mkimage tiny-bsd-amd64.raw      5000 202122232425262728292a2b2c2d2e2f
sha512_of() { $OSSL dgst -sha512 -r "$1" | cut -d' ' -f1; }

# ---------------------------------------------------------------- lists
declare -A DN CA CREATOR EMAIL
subj_of()   { local s; s=$($OSSL x509 -in "$P/$1.pem" -noout -subject -nameopt compat); echo "${s#subject=}"; }
issuer_of() { local s; s=$($OSSL x509 -in "$P/$1.pem" -noout -issuer  -nameopt compat); echo "${s#issuer=}"; }
for e in alice bob carol dave host expired notyet revoked wrongku wrongeku caleaf mallory eve; do
  DN[$e]=$(subj_of $e); CA[$e]=$(issuer_of $e)
done
CREATOR=([alice]="Alice Endorser" [bob]="Bob Endorser" [carol]="Carol Endorser" [dave]="Dave Endorser"
  [host]="AppDB test service" [expired]="Erin Expired" [notyet]="Nora Notyet" [revoked]="Rex Revoked"
  [wrongku]="Kim Wrongku" [wrongeku]="Ed Wrongeku" [caleaf]="Rogue Signing CA" [mallory]="Mallory" [eve]="Eve Outsider")
for e in "${!CREATOR[@]}"; do EMAIL[$e]="$e@vmilist-test.org"; done
EMAIL[eve]="eve@elsewhere.org"; EMAIL[mallory]="mallory@intruder.org"

declare -A IMG_FILE IMG_TITLE IMG_ARCH IMG_OS IMG_OSV IMG_HV IMG_VER
IMG_FILE=([A]=tiny-linux-x86_64.img [B]=tiny-linux-aarch64.img [C]=tiny-bsd-amd64.raw)
IMG_TITLE=([A]="TinyLinux x86_64" [B]="TinyLinux aarch64" [C]="TinyBSD amd64")
IMG_ARCH=([A]=x86_64 [B]=aarch64 [C]=x86_64)
IMG_OS=([A]=Linux [B]=Linux [C]=FreeBSD)
IMG_OSV=([A]="TinyLinux 1.0" [B]="TinyLinux 1.0" [C]="14.1")
IMG_HV=([A]=kvm [B]=kvm [C]=xen)
IMG_VER=([A]="1.0.0" [B]="1.0.0" [C]="14.1-1")

# endorser_json KEY INDENT
endorser_json() {
  local e=$1 i=$2
  cat <<EOF
${i}{
${i}    "hv:x509": {
${i}        "dc:creator": "${CREATOR[$e]}",
${i}        "hv:ca": "${CA[$e]}",
${i}        "hv:dn": "${DN[$e]}",
${i}        "hv:email": "${EMAIL[$e]}"
${i}    }
${i}}
EOF
}

# mklist FILE NUM TITLE CREATED EXPIRES "ENDORSERS" "IMAGES" [BAD_FIRST_IMAGE_ID] [string]
# Keys sorted and 4-space indented, as vmilisttool (json.dumps(sort_keys, indent=4)) writes them.
mklist() {
  local file=$1 num=$2 title=$3 created=$4 expires=$5 endorsers=$6 images=$7 badid=${8:-} strsize=${9:-}
  local out="$V/lists/$file" n=0 e img sep
  local -a ends; read -r -a ends <<< "$endorsers"
  {
    echo '{'
    echo '    "hv:imagelist": {'
    echo "        \"dc:date:created\": \"$created\","
    echo "        \"dc:date:expires\": \"$expires\","
    echo "        \"dc:description\": \"vmilist test vector: $title\","
    printf '        "dc:identifier": "5e0f1a2b-3c4d-4e5f-8a6b-0000000000%02x",\n' "$num"
    echo '        "dc:source": "vmilist-test.org",'
    echo "        \"dc:title\": \"$title\","
    if [[ ${#ends[@]} -eq 1 ]]; then
      printf '        "hv:endorser": %s,\n' "$(endorser_json "${ends[0]}" '        ' | sed '1s/^ *//')"
    else
      echo '        "hv:endorser": ['
      sep=''
      for e in "${ends[@]}"; do
        printf '%s%s' "$sep" "$(endorser_json "$e" '            ')"
        sep=$',\n'
      done
      printf '\n        ],\n'
    fi
    echo '        "hv:images": ['
    sep=''
    for img in $images; do
      n=$((n + 1))
      local f="$V/images/${IMG_FILE[$img]}" size id
      size=$(stat -c %s "$f")
      id=$(printf '7c9d0e1f-2a3b-4c5d-9e6f-0000000%02x0%02x' "$num" "$n")
      [[ -n $badid && $n -eq 1 ]] && id=$badid
      printf '%s' "$sep"
      sep=$',\n'
      cat <<EOF | head -c -1
            {
                "hv:image": {
                    "dc:description": "${IMG_TITLE[$img]}, a $size-byte test image",
                    "dc:identifier": "$id",
                    "dc:title": "${IMG_TITLE[$img]}",
                    "hv:hypervisor": "${IMG_HV[$img]}",
                    "hv:size": $([[ -n $strsize ]] && echo "\"$size\"" || echo "$size"),
                    "hv:uri": "https://images.vmilist-test.org/${IMG_FILE[$img]}",
                    "hv:version": "${IMG_VER[$img]}",
                    "sl:arch": "${IMG_ARCH[$img]}",
                    "sl:checksum:sha512": "$(sha512_of "$f")",
                    "sl:comments": "deterministic bytes, see vectors/build.sh",
                    "sl:os": "${IMG_OS[$img]}",
                    "sl:osversion": "${IMG_OSV[$img]}"
                }
            }
EOF
    done
    printf '\n        ],\n'
    echo "        \"hv:uri\": \"https://lists.vmilist-test.org/$file\","
    echo '        "hv:version": "1.0.0"'
    echo '    }'
    echo '}'
  } > "$out"
}

C0=2026-01-01T00:00:00Z; X0=2040-01-01T00:00:00Z
mklist alice.json           1  "Alice's images"        $C0 $X0 alice     "A B"
mklist bob.json             2  "Bob's images"          $C0 $X0 bob       "A B C"
mklist carol.json           3  "Carol's images"        $C0 $X0 carol     "C"
mklist dave.json            4  "Dave's images"         $C0 $X0 dave      "A B"
mklist host.json            5  "AppDB-style list"      $C0 $X0 host      "A B C"
mklist expired-cert.json    6  "Erin's images"         $C0 $X0 expired   "A"
mklist notyet-cert.json     7  "Nora's images"         $C0 $X0 notyet    "A"
mklist revoked.json         8  "Rex's images"          $C0 $X0 revoked   "A"
mklist wrongku.json         9  "Kim's images"          $C0 $X0 wrongku   "A"
mklist wrongeku.json        10 "Ed's images"           $C0 $X0 wrongeku  "A"
mklist caleaf.json          11 "Rogue CA's images"     $C0 $X0 caleaf    "A"
mklist mallory.json         12 "Mallory's images"      $C0 $X0 mallory   "A B"
mklist eve.json             13 "Eve's images"          $C0 $X0 eve       "A"
mklist endorsers-array.json 14 "Two endorsers"         $C0 $X0 "bob alice" "A B"
mklist wrong-endorser.json  15 "Names Bob, signed by Alice" $C0 $X0 bob  "A"
mklist expired-list.json    16 "Expired list"          $C0 2026-01-15T00:00:00Z alice "A"
mklist notyet-list.json     17 "Future list"           2027-01-01T00:00:00Z $X0 alice "A"
mklist bad-uuid.json        18 "Invalid image UUID"    $C0 $X0 alice     "A B" "488dcdc4-9ab1-4fc8-a7ba-b7a5428ecbzz"
mklist dialect-sizes.json   19 "Sizes as digit strings" $C0 $X0 alice    "A B C" "" string
mklist two-signers.json     20 "Signed by Alice and Bob" $C0 $X0 "alice bob" "A B"
# Not JSON: the alice list cut off in the middle.
head -n 20 "$V/lists/alice.json" > "$V/lists/not-json.txt"

for f in "$V"/lists/*.json; do
  node -e 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"))' "$f" || die "$f is not JSON"
done

# ---------------------------------------------------------------- signing
S="$V/signed"
# smime_sign OUT SIGNER LIST [extra openssl smime args] — detached unless -nodetach is given.
smime_sign() {
  local out=$1 who=$2 list=$3; shift 3
  $OSSL smime -sign -in "$V/lists/$list" -signer "$P/$who.pem" -inkey "$P/$who.key.pem" "$@" -out "$S/$out"
}
cms_sign() {
  local out=$1 who=$2 list=$3; shift 3
  $OSSL cms -sign -in "$V/lists/$list" -signer "$P/$who.pem" -inkey "$P/$who.key.pem" "$@" -out "$S/$out"
}

smime_sign alice-sha512.smime            alice alice.json -md sha512
smime_sign alice-sha256.smime            alice alice.json -md sha256
smime_sign alice-sha1.smime              alice alice.json -md sha1
smime_sign alice-md5.smime               alice alice.json -md md5
smime_sign alice-sha512-chain.smime      alice alice.json -md sha512 -certfile "$P/intermediate.pem"
$OSSL smime -sign -in "$V/lists/alice.json" -signer "$P/alice.pem" -inkey "$P/alice.rsa.key.pem" -md sha256 -out "$S/alice-traditional-key.smime"
smime_sign alice-opaque.smime            alice alice.json -md sha512 -nodetach
cms_sign   alice-cms-sha384.smime        alice alice.json -md sha384
cms_sign   alice-cms-opaque.smime        alice alice.json -md sha256 -nodetach
cms_sign   alice-raw.der                 alice alice.json -md sha512 -outform DER
cms_sign   alice-raw.pem                 alice alice.json -md sha256 -outform PEM
smime_sign bob-sha512.smime              bob   bob.json   -md sha512
smime_sign carol-p256-sha256.smime       carol carol.json -md sha256
smime_sign carol-p256-sha512-chain.smime carol carol.json -md sha512 -certfile "$P/intermediate.pem"
smime_sign dave-p384-sha384.smime        dave  dave.json  -md sha384
smime_sign host-sha256.smime             host  host.json  -md sha256
smime_sign expired-cert.smime            expired  expired-cert.json -md sha256
smime_sign notyet-cert.smime             notyet   notyet-cert.json  -md sha256
smime_sign revoked.smime                 revoked  revoked.json      -md sha256
smime_sign revoked-not-json.smime        revoked  not-json.txt      -md sha256
smime_sign wrongku.smime                 wrongku  wrongku.json      -md sha256
smime_sign wrongeku.smime                wrongeku wrongeku.json     -md sha256
smime_sign caleaf.smime                  caleaf   caleaf.json       -md sha256
smime_sign mallory.smime                 mallory  mallory.json      -md sha256
smime_sign eve.smime                     eve      eve.json          -md sha256
smime_sign endorsers-array.smime         alice endorsers-array.json -md sha256
smime_sign wrong-endorser.smime          alice wrong-endorser.json  -md sha256
smime_sign wrong-endorser-sha1.smime     alice wrong-endorser.json  -md sha1
smime_sign expired-list.smime            alice expired-list.json    -md sha256
smime_sign notyet-list.smime             alice notyet-list.json     -md sha256
smime_sign not-json.smime                alice not-json.txt         -md sha256
smime_sign bad-uuid.smime                alice bad-uuid.json        -md sha256
smime_sign dialect-sizes.smime           alice dialect-sizes.json   -md sha256
$OSSL smime -sign -in "$V/lists/two-signers.json" -md sha256 \
  -signer "$P/alice.pem" -inkey "$P/alice.key.pem" -signer "$P/bob.pem" -inkey "$P/bob.key.pem" -out "$S/two-signers.smime"
cp "$V/lists/alice.json" "$S/alice-raw.content.json"

# Line endings of one signed message, converted after signing.
tr -d '\r' < "$S/alice-sha512.smime" > "$S/alice-sha512-lf.smime"
sed 's/$/\r/' "$S/alice-sha512-lf.smime" > "$S/alice-sha512-crlf.smime"
awk '{ if (NR % 2) printf "%s\r\n", $0; else printf "%s\n", $0 }' "$S/alice-sha512-lf.smime" > "$S/alice-sha512-mixed.smime"

# ---------------------------------------------------------------- damaged messages
# sig_part FILE — the base64 signature of a detached multipart/signed, as DER.
sig_part() {
  awk '/^Content-Disposition: attachment; filename="smime.p7s"/ {s=1; next}
       s==1 && /^\r?$/ {s=2; next}
       s==2 && /^\r?$/ {exit}
       s==2 {print}' "$1" | base64 -d
}
# with_sig FILE DER — FILE with its signature part replaced by DER (64-column base64, like openssl).
with_sig() {
  local b64; b64=$(base64 -w 64 "$2")
  awk -v b64="$b64" '/^Content-Disposition: attachment; filename="smime.p7s"/ {print; s=1; next}
       s==1 && /^\r?$/ {print; print b64; s=2; next}
       s==2 && /^\r?$/ {s=3}
       s==2 {next}
       {print}' "$1"
}
# last_sig_offset DER LEN — offset of the byte 40 bytes into the last OCTET STRING of length LEN (a SignerInfo signature).
last_sig_offset() {
  $OSSL asn1parse -inform DER -in "$1" | awk -v l="$2" '$0 ~ "l= *"l" prim: OCTET STRING" {split($1,a,":"); o=a[1]+0; match($0,/hl= *[0-9]+/); h=substr($0,RSTART+3,RLENGTH-3)+0; off=o+h+40} END {print off}'
}

# Tampered content: hv:version "1.0.0" → "1.0.1" inside the signed part, after signing.
awk '/"hv:version": "1.0.0"\r?$/ && /^        "/ && !d {sub(/1\.0\.0/, "1.0.1"); d=1} {print}' "$S/alice-sha512.smime" > "$S/tampered-content.smime"
cmp -s "$S/alice-sha512.smime" "$S/tampered-content.smime" && die "tampered-content did not change"
[[ $(stat -c %s "$S/alice-sha512.smime") -eq $(stat -c %s "$S/tampered-content.smime") ]] || die "tampered-content changed size"

# Tampered signature: one bit of the RSA signature value flipped.
sig_part "$S/alice-sha512.smime" > "$W/alice.p7s"
flip "$W/alice.p7s" "$(last_sig_offset "$W/alice.p7s" 256)"
with_sig "$S/alice-sha512.smime" "$W/alice.p7s" > "$S/tampered-signature.smime"

# Two signers, the second signature corrupted.
sig_part "$S/two-signers.smime" > "$W/two.p7s"
flip "$W/two.p7s" "$(last_sig_offset "$W/two.p7s" 256)"
with_sig "$S/two-signers.smime" "$W/two.p7s" > "$S/two-signers-second-bad.smime"

# Raw CMS with content that differs in one byte from what was signed.
sed 's/"dc:title": "Alice'"'"'s images"/"dc:title": "Alice'"'"'s imagez"/' "$V/lists/alice.json" > "$S/alice-raw.tampered-content.json"
cmp -s "$V/lists/alice.json" "$S/alice-raw.tampered-content.json" && die "raw tampered content did not change"

# Truncated: cut 300 bytes into the signature part (no closing boundary).
cut_at=$(( $(grep -b -m1 'filename="smime.p7s"' "$S/alice-sha512.smime" | cut -d: -f1) + 300 ))
head -c "$cut_at" "$S/alice-sha512.smime" > "$S/truncated.smime"

# Garbage: 2 KiB of AES-CTR keystream; and an empty file.
head -c 2048 /dev/zero | $OSSL enc -aes-128-ctr -nosalt -K 303132333435363738393a3b3c3d3e3f -iv 00000000000000000000000000000000 > "$S/garbage.bin"
: > "$S/empty.smime"

# Two Content-Type headers: which one is the message?
awk 'NR==2 {print; print "Content-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\""; next} {print}' \
  "$S/alice-sha512.smime" > "$S/two-content-types.smime"
[[ $(grep -c '^Content-Type:' <(head -n 3 "$S/two-content-types.smime")) -eq 2 ]] || die "two-content-types: header not doubled"

# ---------------------------------------------------------------- trust sets
# name → anchors|intermediates|crls|namespaces(JSON). Paths relative to vectors/.
declare -A TS_ANCH TS_INT TS_CRL TS_NS
ts() { TS_ANCH[$1]=$2; TS_INT[$1]=$3; TS_CRL[$1]=$4; TS_NS[$1]=$5; }
FRESH="pki/root.crl.pem pki/intermediate.crl.pem"
NS_EACL="{\"file\":\"trust/$IH.namespaces\",\"format\":\"eacl\"}"
NS_GLOBUS="{\"file\":\"trust/$IH.signing_policy\",\"format\":\"signing_policy\"}"
ts main                       "pki/root.pem" "pki/intermediate.pem" "$FRESH" ""
ts main-nocrl                 "pki/root.pem" "pki/intermediate.pem" ""       ""
ts main-stalecrl              "pki/root.pem" "pki/intermediate.pem" "pki/root.crl.pem pki/intermediate.stale.crl.pem" ""
ts main-badcrl                "pki/root.pem" "pki/intermediate.pem" "pki/root.crl.pem pki/intermediate.badsig.crl.pem" ""
ts main-rootcrl-only          "pki/root.pem" "pki/intermediate.pem" "pki/root.crl.pem" ""
ts main-namespaces-eacl       "pki/root.pem" "pki/intermediate.pem" "$FRESH" "$NS_EACL"
ts main-namespaces-globus     "pki/root.pem" "pki/intermediate.pem" "$FRESH" "$NS_GLOBUS"
ts root-only-no-intermediate  "pki/root.pem" ""                     "$FRESH" ""
ts both-anchors               "pki/root.pem pki/intermediate.pem" "" "$FRESH" ""
ts trust-dir                  "trust/$RH.0 trust/$IH.0" "" "trust/$RH.r0 trust/$IH.r0" "$NS_EACL,$NS_GLOBUS"
ts trust-nocrl-dir            "trust-nocrl/$RH.0 trust-nocrl/$IH.0" "" "" "{\"file\":\"trust-nocrl/$IH.namespaces\",\"format\":\"eacl\"},{\"file\":\"trust-nocrl/$IH.signing_policy\",\"format\":\"signing_policy\"}"
ts other                      "pki/other-ca.pem" "" "pki/other-ca.crl.pem" ""

jarr() { local first=1 x; printf '['; for x in $1; do [[ $first -eq 0 ]] && printf ','; printf '"%s"' "$x"; first=0; done; printf ']'; }

# ---------------------------------------------------------------- cases
AT_DEFAULT=2026-06-01T00:00:00Z
CASES="$W/cases.jsonl"; : > "$CASES"
ok()  { printf '{"ok":true,"signer":"%s","images":%d}' "${DN[$1]}" "$2"; }
err() { printf '{"ok":false,"code":"%s"}' "$1"; }

# openssl_verdict FILE CONTENT TRUST AT OPTIONS → "true"/"false"; reason in $W/ossl.reason
openssl_verdict() {
  local file=$1 content=$2 trust=$3 at=$4 opts=$5 epoch x
  epoch=$(date -u -d "$at" +%s)
  # openssl smime/cms (3.0) have no -CRLfile: CRLs go into the -CAfile bundle, which loads both.
  local policy=require
  [[ $opts == *'"crlPolicy":"off"'* ]] && policy=off
  [[ $opts == *'"crlPolicy":"if-present"'* ]] && policy=if-present
  # bundle-<trust>.pem = anchors + intermediates + CRLs; .certs-only.pem without the CRLs.
  local bundle="bundle-$trust.pem"
  [[ $policy == off ]] && bundle="bundle-$trust.certs-only.pem"
  : > "$W/$bundle"
  for x in ${TS_ANCH[$trust]} ${TS_INT[$trust]}; do cat "$V/$x" >> "$W/$bundle"; done
  [[ $policy == off ]] || for x in ${TS_CRL[$trust]}; do cat "$V/$x" >> "$W/$bundle"; done
  local -a args=(-CAfile "$W/$bundle" -attime "$epoch")
  if [[ $policy == require || ( $policy == if-present && -n ${TS_CRL[$trust]} ) ]]; then
    args+=(-crl_check_all)
  fi
  [[ $opts == *'"certProfile":"smime"'* ]] || args+=(-purpose any)
  local rc=0
  if [[ -n $content ]]; then
    local form=DER; [[ $file == *.pem ]] && form=PEM
    $OSSL cms -verify -inform $form -in "$V/$file" -content "$V/$content" "${args[@]}" -out /dev/null 2>"$W/ossl.err" || rc=$?
  else
    $OSSL smime -verify -in "$V/$file" "${args[@]}" -out /dev/null 2>"$W/ossl.err" || rc=$?
  fi
  # The reason without the per-process error prefix: "Verify error:..." or the reason field.
  sed -n 's/.*Verify error: *\(.*\)$/\1/p; t; s/^[0-9A-F]*:error:[0-9A-F]*:[^:]*:[^:]*:\([^:]*\):.*/\1/p' "$W/ossl.err" | head -n1 > "$W/ossl.reason"
  local shown="${args[*]}"; shown=${shown//$W\//}
  if [[ -n $content ]]; then echo "openssl cms -verify -inform $form -in $file -content $content $shown"
  else echo "openssl smime -verify -in $file $shown"; fi > "$W/ossl.cmd"
  # openssl smime/cms exit 0 even on a usage error: also require the success message.
  [[ $rc -eq 0 ]] && grep -q 'Verification successful' "$W/ossl.err" && echo true || echo false
}

# noverify_ok FILE CONTENT — signature math and content digest only (no chain).
noverify_content() {
  if [[ -n $2 ]]; then
    local form=DER; [[ $1 == *.pem ]] && form=PEM
    $OSSL cms -verify -noverify -inform $form -in "$V/$1" -content "$V/$2" 2>"$W/nv.err" || return 1
  else
    $OSSL smime -verify -noverify -in "$V/$1" 2>"$W/nv.err" || return 1
  fi
  grep -q 'Verification successful' "$W/nv.err"
}

# add NAME FILE CONTENT TRUST AT OPTIONS EXPECT NOTE
add() {
  local name=$1 file=$2 content=$3 trust=$4 at=$5 opts=$6 expect=$7 note=$8
  [[ -f "$V/$file" ]] || die "case $name: no file $file"
  [[ -n ${TS_ANCH[$trust]+x} ]] || die "case $name: no trust set $trust"
  local verdict reason
  verdict=$(openssl_verdict "$file" "$content" "$trust" "${at:-$AT_DEFAULT}" "$opts")
  reason=$(cat "$W/ossl.reason")
  if [[ $expect == '{"ok":true'* ]]; then
    # Every accepted case must at least carry good signature math.
    noverify_content "$file" "$content" > "$W/content.out" || die "case $name: expected ok but openssl -noverify fails"
    local want got
    want=$(sed 's/.*"images":\([0-9]*\).*/\1/' <<< "$expect")
    got=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(d["hv:imagelist"]["hv:images"].length)' "$W/content.out")
    [[ $want == "$got" ]] || die "case $name: expect.images=$want but the list has $got"
  fi
  local jcontent=null jat=null
  [[ -n $content ]] && jcontent="\"$content\""
  [[ -n $at ]] && jat="\"$at\""
  printf '{"name":"%s","file":"%s","content":%s,"trust":"%s","at":%s,"options":%s,"expect":%s,"openssl":%s,"opensslReason":%s,"opensslCommand":"%s","note":"%s"}\n' \
    "$name" "$file" "$jcontent" "$trust" "$jat" "$opts" "$expect" "$verdict" \
    "$([[ -n $reason ]] && printf '"%s"' "$reason" || echo null)" "$(cat "$W/ossl.cmd")" "$note" >> "$CASES"
}

# --- good signatures, formats and digests
add alice-rsa-sha512-detached  signed/alice-sha512.smime "" main "" '{}' "$(ok alice 2)" "the main good case: detached multipart/signed (x-pkcs7-signature), signer cert only, intermediate given separately"
add alice-rsa-sha256-detached  signed/alice-sha256.smime "" main "" '{}' "$(ok alice 2)" "SHA-256"
add alice-cms-sha384-detached  signed/alice-cms-sha384.smime "" main "" '{}' "$(ok alice 2)" "openssl cms output: protocol=application/pkcs7-signature, SHA-384"
add alice-traditional-key      signed/alice-traditional-key.smime "" main "" '{}' "$(ok alice 2)" "signed with the traditional RSA PEM copy of the key"
add alice-chain-embedded       signed/alice-sha512-chain.smime "" main "" '{}' "$(ok alice 2)" "intermediate embedded in the message and also given"
add alice-chain-embedded-root-only signed/alice-sha512-chain.smime "" root-only-no-intermediate "" '{}' "$(ok alice 2)" "intermediate only in the message: path must use message certificates"
add alice-no-chain-root-only   signed/alice-sha512.smime "" root-only-no-intermediate "" '{}' "$(err ERR_CERT_UNTRUSTED)" "no intermediate anywhere: no path to the root"
add alice-trust-nocrl-dir      signed/alice-sha512.smime "" trust-nocrl-dir "" '{}' "$(err ERR_CRL_MISSING)" "the trust-nocrl/ directory: CAs and namespaces but no .r0"
add alice-trust-nocrl-dir-if-present signed/alice-sha512.smime "" trust-nocrl-dir "" '{"crlPolicy":"if-present"}' "$(ok alice 2)" "the trust-nocrl/ directory with if-present"
add alice-both-anchors         signed/alice-sha512.smime "" both-anchors "" '{}' "$(ok alice 2)" "intermediate trusted directly as an anchor"
add alice-trust-dir            signed/alice-sha512.smime "" trust-dir "" '{}' "$(ok alice 2)" "the IGTF-layout trust/ directory contents (both CAs as .0, CRLs as .r0, namespaces)"
add alice-opaque               signed/alice-opaque.smime "" main "" '{}' "$(ok alice 2)" "opaque application/x-pkcs7-mime (smime -nodetach)"
add alice-cms-opaque           signed/alice-cms-opaque.smime "" main "" '{}' "$(ok alice 2)" "opaque application/pkcs7-mime (cms -nodetach)"
add alice-raw-der              signed/alice-raw.der signed/alice-raw.content.json main "" '{}' "$(ok alice 2)" "raw DER CMS detached signature; content file has LF endings, CRLF form was signed"
add alice-raw-pem              signed/alice-raw.pem signed/alice-raw.content.json main "" '{}' "$(ok alice 2)" "raw PEM (BEGIN CMS) detached signature"
add alice-raw-der-tampered-content signed/alice-raw.der signed/alice-raw.tampered-content.json main "" '{}' "$(err ERR_SIGNATURE_INVALID)" "detached content differs in one byte"
add alice-lf                   signed/alice-sha512-lf.smime "" main "" '{}' "$(ok alice 2)" "same message, whole file converted to LF"
add alice-crlf                 signed/alice-sha512-crlf.smime "" main "" '{}' "$(ok alice 2)" "same message, whole file converted to CRLF"
add alice-mixed                signed/alice-sha512-mixed.smime "" main "" '{}' "$(ok alice 2)" "same message, odd lines CRLF and even lines LF"
add alice-sha1                 signed/alice-sha1.smime "" main "" '{}' "$(err ERR_DIGEST_WEAK)" "SHA-1 without allowSha1"
add alice-sha1-allowed         signed/alice-sha1.smime "" main "" '{"allowSha1":true}' "$(ok alice 2)" "SHA-1 with allowSha1 (2011-era lists)"
add alice-md5                  signed/alice-md5.smime "" main "" '{}' "$(err ERR_DIGEST_WEAK)" "MD5 is never accepted"
add alice-md5-allowsha1        signed/alice-md5.smime "" main "" '{"allowSha1":true}' "$(err ERR_DIGEST_WEAK)" "allowSha1 does not allow MD5"
add bob-rsa-sha512             signed/bob-sha512.smime "" main "" '{}' "$(ok bob 3)" "several OU/CN with spaces; keyUsage without any EKU extension"
add carol-p256-sha256          signed/carol-p256-sha256.smime "" main "" '{}' "$(ok carol 1)" "ECDSA P-256; subject has emailAddress"
add carol-p256-sha512-chain-root-only signed/carol-p256-sha512-chain.smime "" root-only-no-intermediate "" '{}' "$(ok carol 1)" "ECDSA P-256 with SHA-512, intermediate embedded"
add dave-p384-sha384           signed/dave-p384-sha384.smime "" main "" '{}' "$(ok dave 2)" "ECDSA P-384"
add two-signers                signed/two-signers.smime "" main "" '{}' "$(ok alice 2)" "two good SignerInfos (alice first, bob second), both named in hv:endorser; signer = the first"
add two-signers-second-bad     signed/two-signers-second-bad.smime "" main "" '{}' "$(err ERR_SIGNATURE_INVALID)" "every SignerInfo must verify: bob's signature bytes are corrupted"
add endorser-array-second      signed/endorsers-array.smime "" main "" '{}' "$(ok alice 2)" "hv:endorser is an array [bob, alice]; the signer is the second"
add dialect-sizes              signed/dialect-sizes.smime "" main "" '{}' "$(ok alice 3)" "hv:size as digit strings: a dialect, accepted with a warning"
add dialect-sizes-strict       signed/dialect-sizes.smime "" main "" '{"strict":true}' "$(err ERR_SCHEMA_INVALID)" "strict refuses the digit-string dialect"
add alice-strict               signed/alice-sha512.smime "" main "" '{"strict":true}' "$(ok alice 2)" "the canonical form passes strict"
# --- host certificates and usage profiles
add host-grid                  signed/host-sha256.smime "" main "" '{}' "$(ok host 3)" "host certificate (serverAuth,clientAuth) under the default grid profile, like EGI AppDB"
add host-smime                 signed/host-sha256.smime "" main "" '{"certProfile":"smime"}' "$(err ERR_CERT_USAGE)" "smime profile wants emailProtection"
add alice-smime-profile        signed/alice-sha512.smime "" main "" '{"certProfile":"smime"}' "$(ok alice 2)" "personal cert with emailProtection passes smime"
add wrong-keyusage             signed/wrongku.smime "" main "" '{}' "$(err ERR_CERT_USAGE)" "keyUsage keyEncipherment only"
add wrong-eku                  signed/wrongeku.smime "" main "" '{}' "$(err ERR_CERT_USAGE)" "EKU serverAuth only"
add ca-as-signer               signed/caleaf.smime "" main "" '{}' "$(err ERR_CERT_USAGE)" "signer certificate has basicConstraints CA:TRUE"
# --- trust and validity of certificates
add other-ca-untrusted         signed/eve.smime "" main "" '{}' "$(err ERR_CERT_UNTRUSTED)" "issued by an unrelated CA"
add other-ca-untrusted-crl-off signed/eve.smime "" main-nocrl "" '{"crlPolicy":"off"}' "$(err ERR_CERT_UNTRUSTED)" "relaxing revocation does not relax trust"
add other-ca-trusted           signed/eve.smime "" other "" '{}' "$(ok eve 1)" "the same message when the other CA is the anchor"
add cert-expired               signed/expired-cert.smime "" main "" '{}' "$(err ERR_CERT_EXPIRED)" "signer valid 2020-01-01..2021-01-01"
add cert-not-yet-valid         signed/notyet-cert.smime "" main "" '{}' "$(err ERR_CERT_EXPIRED)" "signer valid 2030-01-01..2035-01-01"
add cert-not-yet-valid-at-2031 signed/notyet-cert.smime "" main 2031-01-01T00:00:00Z '{}' "$(ok notyet 1)" "the same message verified in 2031"
add alice-at-2040-06           signed/alice-sha512.smime "" main 2040-06-01T00:00:00Z '{}' "$(err ERR_CERT_EXPIRED)" "cert, CRLs and list all expired: the certificate step comes first"
add alice-at-2024              signed/alice-sha512.smime "" main 2024-06-01T00:00:00Z '{}' "$(err ERR_CERT_EXPIRED)" "before every certificate's notBefore"
# --- namespaces
add mallory-no-namespaces      signed/mallory.smime "" main "" '{}' "$(ok mallory 2)" "outside the namespace, but no namespace files given"
add mallory-eacl               signed/mallory.smime "" main-namespaces-eacl "" '{}' "$(err ERR_NAMESPACE_VIOLATION)" "EACL .namespaces permits /DC=org/DC=vmilist-test/.* only"
add mallory-globus             signed/mallory.smime "" main-namespaces-globus "" '{}' "$(err ERR_NAMESPACE_VIOLATION)" "Globus signing_policy cond_subjects /DC=org/DC=vmilist-test/*"
add mallory-trust-dir          signed/mallory.smime "" trust-dir "" '{}' "$(err ERR_NAMESPACE_VIOLATION)" "trust/ directory has both namespace files"
add alice-eacl                 signed/alice-sha512.smime "" main-namespaces-eacl "" '{}' "$(ok alice 2)" "inside the EACL namespace"
add alice-globus               signed/alice-sha512.smime "" main-namespaces-globus "" '{}' "$(ok alice 2)" "inside the Globus namespace"
add carol-email-globus         signed/carol-p256-sha256.smime "" main-namespaces-globus "" '{}' "$(ok carol 1)" "emailAddress in the subject still matches the namespace"
# --- revocation
add revoked                    signed/revoked.smime "" main "" '{}' "$(err ERR_CERT_REVOKED)" "serial 0x1008 is on the intermediate CRL (revoked 2025-06-01, keyCompromise)"
add revoked-crl-off            signed/revoked.smime "" main "" '{"crlPolicy":"off"}' "$(ok revoked 1)" "with CRLs switched off explicitly the revocation is not seen"
add revoked-nocrl-if-present   signed/revoked.smime "" main-nocrl "" '{"crlPolicy":"if-present"}' "$(ok revoked 1)" "if-present with no CRL at all"
add revoked-not-json           signed/revoked-not-json.smime "" main "" '{}' "$(err ERR_CERT_REVOKED)" "revocation (step 5) is decided before the payload (step 6)"
add crl-missing                signed/alice-sha512.smime "" main-nocrl "" '{}' "$(err ERR_CRL_MISSING)" "require (default) with no CRLs"
add crl-missing-intermediate   signed/alice-sha512.smime "" main-rootcrl-only "" '{}' "$(err ERR_CRL_MISSING)" "root CRL present, intermediate CRL missing"
add crl-missing-if-present     signed/alice-sha512.smime "" main-nocrl "" '{"crlPolicy":"if-present"}' "$(ok alice 2)" "if-present with no CRLs"
add crl-missing-off            signed/alice-sha512.smime "" main-nocrl "" '{"crlPolicy":"off"}' "$(ok alice 2)" "crlPolicy off"
add crl-bad-signature          signed/alice-sha512.smime "" main-badcrl "" '{}' "$(err ERR_CRL_MISSING)" "the intermediate CRL's signature does not verify: counts as no CRL"
add crl-stale                  signed/alice-sha512.smime "" main-stalecrl "" '{}' "$(err ERR_CRL_EXPIRED)" "intermediate CRL nextUpdate 2025-02-01"
add crl-stale-if-present       signed/alice-sha512.smime "" main-stalecrl "" '{"crlPolicy":"if-present"}' "$(err ERR_CRL_EXPIRED)" "a CRL that is present but stale still fails (fail closed)"
add crl-stale-grace            signed/alice-sha512.smime "" main-stalecrl "" '{"crlGraceSeconds":50000000}' "$(ok alice 2)" "grace of ~578 days covers 2025-02-01 → 2026-06-01"
add crl-stale-grace-short      signed/alice-sha512.smime "" main-stalecrl "" '{"crlGraceSeconds":86400}' "$(err ERR_CRL_EXPIRED)" "one day of grace is not enough"
add crl-stale-off              signed/alice-sha512.smime "" main-stalecrl "" '{"crlPolicy":"off"}' "$(ok alice 2)" "crlPolicy off ignores the stale CRL"
# --- MIME and signature damage
add tampered-content           signed/tampered-content.smime "" main "" '{}' "$(err ERR_SIGNATURE_INVALID)" "one byte of the list changed after signing (hv:version 1.0.0 → 1.0.1)"
add tampered-signature         signed/tampered-signature.smime "" main "" '{}' "$(err ERR_SIGNATURE_INVALID)" "one bit of the RSA signature value flipped"
add truncated                  signed/truncated.smime "" main "" '{}' "$(err ERR_MIME_MALFORMED)" "cut inside the signature part: no closing boundary"
add garbage                    signed/garbage.bin "" main "" '{}' "$(err ERR_MIME_MALFORMED)" "2 KiB of pseudo-random bytes"
add empty                      signed/empty.smime "" main "" '{}' "$(err ERR_MIME_MALFORMED)" "zero bytes"
add two-content-types          signed/two-content-types.smime "" main "" '{}' "$(err ERR_MIME_MALFORMED)" "ambiguous MIME: multipart/signed and pkcs7-mime Content-Type headers"
# --- payload
add not-json                   signed/not-json.smime "" main "" '{}' "$(err ERR_JSON_MALFORMED)" "the signed payload is a truncated JSON document"
add bad-image-uuid             signed/bad-uuid.smime "" main "" '{}' "$(err ERR_SCHEMA_INVALID)" "first image dc:identifier has non-hex digits"
# --- binding and allow-lists
add wrong-endorser             signed/wrong-endorser.smime "" main "" '{}' "$(err ERR_ENDORSER_MISMATCH)" "hv:endorser names bob; alice signed"
add wrong-endorser-sha1        signed/wrong-endorser-sha1.smime "" main "" '{}' "$(err ERR_DIGEST_WEAK)" "the digest (step 2) is decided before the binding (step 7)"
add endorsers-allow-alice      signed/alice-sha512.smime "" main "" "{\"endorsers\":[{\"dn\":\"${DN[alice]}\",\"ca\":\"$GRID_DN\"}]}" "$(ok alice 2)" "allow-list holds alice"
add endorsers-allow-rfc4514    signed/alice-sha512.smime "" main "" '{"endorsers":[{"dn":"CN=Alice Endorser,OU=Users,DC=vmilist-test,DC=org"}]}' "$(ok alice 2)" "allow-list entry in RFC 4514 form, no ca"
add endorsers-allow-bob-only   signed/alice-sha512.smime "" main "" "{\"endorsers\":[{\"dn\":\"${DN[bob]}\",\"ca\":\"$GRID_DN\"}]}" "$(err ERR_ENDORSER_NOT_TRUSTED)" "allow-list holds only bob"
add endorsers-allow-wrong-ca   signed/alice-sha512.smime "" main "" "{\"endorsers\":[{\"dn\":\"${DN[alice]}\",\"ca\":\"$ROOT_DN\"}]}" "$(err ERR_ENDORSER_NOT_TRUSTED)" "right DN, wrong issuer"
add host-allow                 signed/host-sha256.smime "" main "" "{\"endorsers\":[{\"dn\":\"${DN[host]}\",\"ca\":\"$GRID_DN\"}]}" "$(ok host 3)" "host principal on the allow-list"
# --- list validity in time
add list-expired               signed/expired-list.smime "" main "" '{}' "$(err ERR_LIST_EXPIRED)" "dc:date:expires 2026-01-15"
add list-expired-before        signed/expired-list.smime "" main 2026-01-10T00:00:00Z '{}' "$(ok alice 1)" "the same list before it expired"
add list-expired-at-instant    signed/expired-list.smime "" main 2026-01-15T00:00:00Z '{}' "$(err ERR_LIST_EXPIRED)" "expires must be > at: equal is expired"
add list-not-yet-valid         signed/notyet-list.smime "" main "" '{}' "$(err ERR_LIST_NOT_YET_VALID)" "dc:date:created 2027-01-01"
add list-created-within-skew   signed/notyet-list.smime "" main 2026-12-31T23:55:00Z '{}' "$(ok alice 1)" "created = at + 5 min exactly: allowed"
add list-created-beyond-skew   signed/notyet-list.smime "" main 2026-12-31T23:54:59Z '{}' "$(err ERR_LIST_NOT_YET_VALID)" "created = at + 5 min 1 s"

# ---------------------------------------------------------------- manifest + README table
TS_TEXT=$(for t in "${!TS_ANCH[@]}"; do printf '%s\t%s\t%s\t%s\t%s\n' "$t" "${TS_ANCH[$t]}" "${TS_INT[$t]}" "${TS_CRL[$t]}" "${TS_NS[$t]}"; done)
node - "$CASES" "$V/manifest.json" "$AT_DEFAULT" "$V/README.md" "$TS_TEXT" <<'EOF'
const fs = require('fs');
const [casesFile, out, at, readme, tsText] = process.argv.slice(2);
const split = (s) => (s ? s.split(' ').filter(Boolean) : []);
const trustSets = {};
for (const line of tsText.split('\n').filter(Boolean).sort()) {
  const [name, anchors, inter, crls, ns] = line.split('\t');
  trustSets[name] = { anchors: split(anchors), intermediates: split(inter), crls: split(crls), namespaces: ns ? JSON.parse(`[${ns}]`) : [] };
}
const cases = fs.readFileSync(casesFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const names = new Set();
for (const c of cases) { if (names.has(c.name)) throw new Error(`duplicate case ${c.name}`); names.add(c.name); }
const manifest = { version: 1, at, trustSets, cases };
fs.writeFileSync(out, JSON.stringify(manifest, null, 2) + '\n');
// README: regenerate the table between the markers.
if (fs.existsSync(readme)) {
  const rows = cases.map((c) => `| \`${c.name}\` | \`${c.file}\`${c.content ? ` + \`${c.content}\`` : ''} | ${c.trust} | ${c.at ?? ''} | ${Object.keys(c.options).length ? '`' + JSON.stringify(c.options).replace(/\|/g, '\\|') + '`' : ''} | ${c.expect.ok ? 'ok (' + c.expect.images + ')' : '**' + c.expect.code + '**'} | ${c.openssl ? 'yes' : 'no'} | ${c.note} |`);
  const table = ['| case | file | trust | at | options | expect | openssl | why |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n');
  const text = fs.readFileSync(readme, 'utf8');
  const re = /<!-- BEGIN CASES -->[\s\S]*?<!-- END CASES -->/;
  if (re.test(text)) fs.writeFileSync(readme, text.replace(re, () => `<!-- BEGIN CASES -->\n${table}\n<!-- END CASES -->`));
}
const codes = new Set(cases.filter((c) => !c.expect.ok).map((c) => c.expect.code));
console.log(`manifest: ${cases.length} cases (${cases.filter((c) => c.expect.ok).length} ok), ${codes.size} distinct codes, ${Object.keys(trustSets).length} trust sets`);
EOF

echo "vectors: $(du -sh "$V" | cut -f1) in $V"
