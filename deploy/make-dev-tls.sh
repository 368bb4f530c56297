#!/bin/sh
# A self-signed certificate for trying deploy/compose.yaml on localhost (clients
# then need -k). Use a real certificate for anything else.
set -eu
cd "$(dirname "$0")"
mkdir -p tls
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout tls/key.pem -out tls/cert.pem
