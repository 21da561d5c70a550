#!/usr/bin/env bash
# Runs every test. Azurite (the durable engine's local Azure Storage) is installed from npm if missing and started
# if nothing listens on 127.0.0.1:10000-10002; one started here is stopped gracefully at the end.
set -euo pipefail
cd "$(dirname "$0")"

[ -d tools/azurite/node_modules/azurite ] || npm ci --prefix tools/azurite --no-audit --no-fund --loglevel=error

if ! (echo > /dev/tcp/127.0.0.1/10002) 2>/dev/null; then
  data=$(mktemp -d)
  node tools/azurite/node_modules/azurite/dist/src/azurite.js --silent --location "$data" \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
    --blobPort 10000 --queuePort 10001 --tablePort 10002 --skipApiVersionCheck --disableTelemetry &
  azurite=$!
  # Azurite saves its state on SIGTERM; a kill -9 can lose the last 5 s of it.
  trap 'kill -TERM $azurite 2>/dev/null; wait $azurite 2>/dev/null || true; rm -rf "$data"' EXIT
  for _ in $(seq 1 60); do
    (echo > /dev/tcp/127.0.0.1/10002) 2>/dev/null && break
    sleep 0.5
  done
fi

dotnet build IvvyWorkflows.sln -c Release --nologo -clp:ErrorsOnly
dotnet test IvvyWorkflows.sln -c Release --no-build --nologo "$@"
