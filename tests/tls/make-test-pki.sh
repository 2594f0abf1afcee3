#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Creates a throw-away PKI for the TLS tests in DIR (made at test time, so no
# private key is committed and nothing expires in the repository):
#   ca.pem ca.key             the test CA
#   server.pem server.key     signed by it; CN localhost, SAN localhost, 127.0.0.1, ::1
#   client.pem client.key     a client certificate signed by the CA (CN wamp-test-client)
#   other-ca.pem              another CA
#   stranger.pem stranger.key a client certificate signed by the other CA
#   other.key                 a key that matches none of the certificates
# Usage: make-test-pki.sh DIR
set -eu

dir=${1:?usage: make-test-pki.sh DIR}
mkdir -p "$dir"
cd "$dir"

ossl() {
  openssl "$@" 2>/dev/null
}

# P-256 keys: fast to make, accepted everywhere.
newkey() {
  ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
}

make_ca() { # NAME CN
  newkey "$1.key"
  ossl req -x509 -new -key "$1.key" -sha256 -days 2 -subj "/O=wampd tests/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -out "$1.pem"
}

make_leaf() { # NAME CN CA USAGE [SAN]
  newkey "$1.key"
  ossl req -new -key "$1.key" -subj "/O=wampd tests/CN=$2" -out "$1.csr"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature"
    echo "extendedKeyUsage=$4"
    if [ -n "${5:-}" ]; then echo "subjectAltName=$5"; fi
  } > "$1.ext"
  ossl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -sha256 -days 2 \
    -extfile "$1.ext" -out "$1.pem"
  rm -f "$1.csr" "$1.ext"
}

make_ca ca "wampd test CA"
make_leaf server localhost ca serverAuth "DNS:localhost,IP:127.0.0.1,IP:::1"
make_leaf client wamp-test-client ca clientAuth
make_ca other-ca "wampd other test CA"
make_leaf stranger wamp-test-stranger other-ca clientAuth
newkey other.key
