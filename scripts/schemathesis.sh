#!/usr/bin/env bash
# Fuzz the JSON API from its OpenAPI document against a production-mode server, as an investor
# and as a staff member. Fails on any server error (5xx) or any answer that contradicts the
# document. Bounded: a fixed seed and example count (about two minutes on two cores).
#
# The server runs with PEERLEND_ENV=production, DEBUG off and throwaway secrets, on a throwaway
# SQLite file (or FUZZ_DATABASE_URL), listening on 127.0.0.1 only. The payment adapter is the
# real custody-bank adapter pointed at a closed local port: deposits only build a redirect, and
# payouts fail to connect and stay in the outbox.
#
#   scripts/schemathesis.sh            # FUZZ_EXAMPLES=8 FUZZ_SEED=20261125 by default
#   FUZZ_CHECKS=all scripts/schemathesis.sh   # every check, for a look by hand
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
EXAMPLES=${FUZZ_EXAMPLES:-8}
SEED=${FUZZ_SEED:-20261125}
# More checks for a look by hand, e.g. FUZZ_CHECKS=all (CI keeps the two it must never break).
CHECKS=${FUZZ_CHECKS:-not_a_server_error,response_schema_conformance}
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secret() { "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))'; }

export PEERLEND_ENV=production DEBUG=0 ALLOWED_HOSTS=127.0.0.1 PEERLEND_VAR_DIR="$work"
export DATABASE_URL=${FUZZ_DATABASE_URL:-"sqlite:///$work/fuzz.sqlite3"}
export SECRET_KEY="fuzz-$(secret)" PEERLEND_PII_INDEX_KEY="fuzz-$(secret)" PEERLEND_GATEWAY_SECRET="fuzz-$(secret)"
PEERLEND_PII_KEY=$("$BIN/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
export PEERLEND_PII_KEY
export PEERLEND_GATEWAY=peerlend.ledger.gateway.bank.HttpCustodyBankGateway
export PEERLEND_GATEWAY_API_URL="http://127.0.0.1:9" PEERLEND_GATEWAY_PAY_URL="http://127.0.0.1:9/pay"
export PEERLEND_GATEWAY_MERCHANT_ID=fuzz PEERLEND_GATEWAY_TIMEOUT=2
# Plain HTTP on the loopback: no redirect to HTTPS (the proxy does that in a real deployment).
export PEERLEND_SSL_REDIRECT=0

"$BIN/peerlend" migrate --noinput -v 0
tokens=$("$BIN/python" scripts/schemathesis_fixtures.py)
investor=$(printf '%s' "$tokens" | "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["investor"])')
staff=$(printf '%s' "$tokens" | "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["staff"])')

"$BIN/peerlend" runserver "127.0.0.1:$port" --noreload >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
# The document is for staff in production: fetch it with the staff token.
"$BIN/python" - "$base/api/openapi.json" "$staff" "$work/openapi.json" <<'EOF'
import sys
import time
import urllib.request

url, token, out = sys.argv[1:]
for _ in range(60):
    try:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback only)
            open(out, "wb").write(response.read())
            break
    except OSError:
        time.sleep(0.5)
else:
    sys.exit(f"the server did not answer {url}")
EOF

fuzz() {  # fuzz WHO [filter options...]
  local who=$1; shift
  echo "== schemathesis as $who (seed $SEED, $EXAMPLES examples per operation)"
  "$BIN/schemathesis" run "$work/openapi.json" --url "$base" \
    --header "Authorization: Bearer ${!who}" \
    --checks "$CHECKS" \
    --phases examples,coverage,fuzzing --mode all \
    --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 \
    --request-timeout 10 --suppress-health-check all --no-color "$@"
}

status=0
# Every route as a member, except those that revoke the caller's own token (they would end the run's login).
fuzz investor --exclude-path-regex '^/api/auth/(token/(revoke|refresh)|tokens/\{token_id\}/revoke)$' || status=$?
# The routes whose answers depend on a staff role.
fuzz staff --include-path-regex '^/api/(reviews|loans/\{loan_id\})' || status=$?

if [ "$status" -ne 0 ]; then
  echo "schemathesis found server errors or schema violations; server log tail:"
  tail -n 80 "$work/server.log"
  exit "$status"
fi
echo "schemathesis: no server errors, no schema violations"
