#!/bin/sh
# The image's entrypoint: apply the database migrations, then exec the command (the server).
#
# Migrations run only before the server (`python serve.py`), never before other commands such
# as `flask --app wsgi shares purge-expired`. STUDYSHARE_MIGRATE=false skips them, for operators
# who run `flask --app wsgi db upgrade` once themselves (a release step, or several replicas,
# which would otherwise race each other to migrate the same database).
set -eu

case "${1:-} ${2:-}" in
    "python serve.py" | */python\ serve.py)
        # The server's own settings first: a bad one stops here, in one line, before migrating.
        "$1" serve.py --print-config >/dev/null
        migrate="$(printf '%s' "${STUDYSHARE_MIGRATE:-true}" | tr '[:upper:]' '[:lower:]')"
        case "$migrate" in
            1 | true | yes | on)
                flask --app wsgi db upgrade
                ;;
            0 | false | no | off) ;;
            *)
                echo "Configuration error: STUDYSHARE_MIGRATE must be true or false," \
                    "not '${STUDYSHARE_MIGRATE}'." >&2
                exit 3
                ;;
        esac
        ;;
esac

exec "$@"
