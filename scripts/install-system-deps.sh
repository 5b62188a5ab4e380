#!/usr/bin/env bash
# Installs the Debian packages StudyShare's demo and tests need, if any is missing, and the
# ones named as arguments (`make bench` adds wrk). Safe to re-run: does nothing when everything
# is there.
set -euo pipefail

# Orthanc and its plugins for the demo and the tests; Chromium for the browser tests;
# zbar-tools to read QR codes back in the tests; nodejs (npm below) to fetch the OHIF viewer;
# nginx-light to run the shipped deploy/nginx/ guard in the tests (no service is started);
# Pango for WeasyPrint (the API's handout PDF), poppler-utils to read that PDF in the tests.
packages=(orthanc orthanc-python orthanc-dicomweb orthanc-webviewer chromium fonts-dejavu-core zbar-tools
  nodejs nginx-light libpango-1.0-0 libpangoft2-1.0-0 poppler-utils "$@")

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing+=(python3-venv)
fi
# Checked as a command: NodeSource's nodejs bundles npm and conflicts with Debian's package.
if ! command -v npm >/dev/null; then
  missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
