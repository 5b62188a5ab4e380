#!/bin/sh
# The image's entrypoint: apply the database migrations, then exec the command (the server).
#
# Migrations run only before the server (gunicorn), never before other commands such as
# `flask --app wsgi shares purge-expired`. STUDYSHARE_MIGRATE=false skips them, for operators
# who run `flask --app wsgi db upgrade` once themselves (a release step, or several replicas,
# which would otherwise race each other to migrate the same database).
set -eu

case "${1:-}" in
    gunicorn | */gunicorn)
        # gunicorn reads WEB_CONCURRENCY before gunicorn.conf.py, and a value that is not a
        # number stops it with a traceback: say so in one line instead, before migrating.
        case "${WEB_CONCURRENCY-}" in
            *[!0-9]*)
                echo "Configuration error: WEB_CONCURRENCY must be a whole number of at least 1," \
                    "not '${WEB_CONCURRENCY}'." >&2
                exit 3
                ;;
        esac
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
