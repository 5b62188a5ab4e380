#!/usr/bin/env bash
# Installs axe-core (the accessibility checker the browser tests inject into each page) into
# .cache/axe-core/axe.min.js. Safe to re-run: does nothing when the pinned version is there.
set -euo pipefail

version="4.11.0"
# sha256 of the registry's tarball: a re-published or tampered package is refused.
sha256="39bed7d72308f6d620789c169d699bfd7e8da80f65b545821a6b2215c3e83107"

cd "$(dirname "$0")/.."
target=".cache/axe-core"
if [ "$(cat "$target/VERSION" 2>/dev/null)" = "$version" ] && [ -f "$target/axe.min.js" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm is missing: run scripts/install-system-deps.sh" >&2; exit 1; }

echo "Installing axe-core $version into $target (under 1 MB)"
mkdir -p "$target"
work="$(mktemp -d "$target/.install.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# `npm pack` fetches the tarball alone, without a node_modules tree.
(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null)
tarball="$work/axe-core-$version.tgz"
echo "$sha256  $tarball" | sha256sum --check --quiet
tar -xzf "$tarball" -C "$work" package/axe.min.js package/LICENSE
echo "$version" >"$work/package/VERSION"

rm -f "$target/axe.min.js" "$target/LICENSE" "$target/VERSION"
mv "$work/package/axe.min.js" "$work/package/LICENSE" "$target/"
mv "$work/package/VERSION" "$target/VERSION"
