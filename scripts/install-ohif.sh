#!/usr/bin/env bash
# Installs the prebuilt OHIF viewer (the `dist/` folder of the npm package @ohif/app) into
# .cache/ohif/dist for the browser tests. Safe to re-run: does nothing when the pinned version
# is already there.
set -euo pipefail

version="3.13.2"
# sha256 of the registry's tarball: a re-published or tampered package is refused.
sha256="b189d3963bfc58e9394a9db8c7be75d07beb029ec211dbb126d47b62969dd3f1"

cd "$(dirname "$0")/.."
target=".cache/ohif"
if [ "$(cat "$target/VERSION" 2>/dev/null)" = "$version" ] && [ -f "$target/dist/index.html" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm is missing: run scripts/install-system-deps.sh" >&2; exit 1; }

echo "Installing OHIF $version into $target (about 50 MB to download, 200 MB on disk)"
mkdir -p "$target"
work="$(mktemp -d "$target/.install.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# `npm pack` fetches the tarball alone: `npm install` would also pull the source dependencies
# (hundreds of MB), and warn that the package asks for node >= 24 (Debian 12 has node 18).
(cd "$work" && npm pack --silent "@ohif/app@$version" >/dev/null)
tarball="$work/ohif-app-$version.tgz"
echo "$sha256  $tarball" | sha256sum --check --quiet
mkdir "$work/package"
tar -xzf "$tarball" -C "$work/package" --strip-components=1 package/dist
echo "$version" >"$work/package/VERSION"

rm -rf "$target/dist" "$target/VERSION"
mv "$work/package/dist" "$target/dist"
mv "$work/package/VERSION" "$target/VERSION"
