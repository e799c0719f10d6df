#!/usr/bin/env bash
# A session with `nskit serve`: NSKIT_URL is the server (http://127.0.0.1:8350), NSKIT_TOKEN
# its bearer token. Reading needs no token; creating and updating do.
set -euo pipefail

# The catalogue, and one recipe's answers as JSON Schema.
curl -sf "$NSKIT_URL/recipes"
curl -sf "$NSKIT_URL/recipes/rust_cli/schema"

# Check answers before creating: the recipe's own messages come back.
curl -sf -X POST "$NSKIT_URL/recipes/rust_cli/validate" \
  -H 'Content-Type: application/json' \
  -d '{"answers": {"project_name": "Hello API"}}'

# Create a project in the server's workspace (committed; add "repository": true to
# create and push its repository on the configured git host).
curl -sf -X POST "$NSKIT_URL/projects" \
  -H "Authorization: Bearer $NSKIT_TOKEN" \
  -H 'Content-Type: application/json' \
  -d '{"recipe": "rust_cli", "answers": {"project_name": "hello-api"}}'

# The same, with its progress as server-sent events (a `result` event ends it).
curl -sfN -X POST "$NSKIT_URL/projects" \
  -H "Authorization: Bearer $NSKIT_TOKEN" \
  -H 'Content-Type: application/json' \
  -H 'Accept: text/event-stream' \
  -d '{"recipe": "python_package", "answers": {"name": "hello-lib"}}'

# What the workspace holds, and an update planned (nothing to do yet).
curl -sf "$NSKIT_URL/projects"
curl -sf -X POST "$NSKIT_URL/projects/hello-api/update/plan" \
  -H "Authorization: Bearer $NSKIT_TOKEN" \
  -H 'Content-Type: application/json' -d '{}'

# Without the token, a change is refused with a JSON error.
curl -s -X POST "$NSKIT_URL/projects" \
  -H 'Content-Type: application/json' -d '{"recipe": "rust_cli"}'
