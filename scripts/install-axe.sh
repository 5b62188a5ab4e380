#!/usr/bin/env bash
# Installs axe-core (the accessibility checker the browser tests inject into each page) into
# .cache/axe-core/axe.min.js.
set -euo pipefail
exec "$(dirname "$0")/install-npm-pinned.sh" axe-core 4.11.0 \
  39bed7d72308f6d620789c169d699bfd7e8da80f65b545821a6b2215c3e83107 \
  .cache/axe-core "under 1 MB" axe.min.js LICENSE
