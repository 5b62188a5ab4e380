#!/usr/bin/env bash
# Installs files of one pinned npm package into a folder, checked against the sha256 of the
# registry's tarball (a re-published or tampered package is refused). Safe to re-run: does
# nothing when that version is there already.
#
#   scripts/install-npm-pinned.sh PACKAGE VERSION SHA256 TARGET ABOUT PATH...
#
# The PATHs are the package's files or folders to keep (the first one tells whether the
# version is installed); they land in TARGET under the same names. ABOUT says how big it is.
set -euo pipefail

package="$1" version="$2" sha256="$3" target="$4" about="$5"
shift 5
cd "$(dirname "$0")/.."
if [ "$(cat "$target/VERSION" 2>/dev/null)" = "$version" ] && [ -e "$target/$1" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm is missing: run scripts/install-system-deps.sh" >&2; exit 1; }

echo "Installing $package $version into $target ($about)"
mkdir -p "$target"
work="$(mktemp -d "$target/.install.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# `npm pack` fetches the tarball alone: `npm install` would also pull the package's
# dependencies (hundreds of MB for OHIF's sources) and check its node version.
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tarballs=("$work"/*.tgz)
echo "$sha256  ${tarballs[0]}" | sha256sum --check --quiet
mkdir "$work/package"
tar -xzf "${tarballs[0]}" -C "$work/package" --strip-components=1 "${@/#/package/}"

# VERSION goes first and comes back last: an install cut short is redone next time.
rm -f "$target/VERSION"
for path in "$@"; do
  rm -rf "${target:?}/$path"
  mv "$work/package/$path" "$target/$path"
done
echo "$version" >"$target/VERSION"
