#!/usr/bin/env bash
# Installs the prebuilt OHIF viewer (the `dist/` folder of the npm package @ohif/app) into
# .cache/ohif/dist for the browser tests.
set -euo pipefail
exec "$(dirname "$0")/install-npm-pinned.sh" @ohif/app 3.13.2 \
  b189d3963bfc58e9394a9db8c7be75d07beb029ec211dbb126d47b62969dd3f1 \
  .cache/ohif "about 50 MB to download, 200 MB on disk" dist
