#!/usr/bin/env bash
# Back up and restore RASTrack's PostgreSQL database (the one DATABASE_URL names).
#
#   scripts/db_backup.sh backup             pg_dump -Fc to var/backups/rastrack-<UTC time>.dump
#                                           (or to BACKUP_FILE=...); prints the file's path
#   scripts/db_backup.sh restore            pg_restore BACKUP_FILE=... into DATABASE_URL:
#                                           --clean --if-exists --no-owner, in one transaction
#
# A restore replaces what is in the target database: it asks you to type the database's
# name first, or goes ahead without asking when CONFIRM=yes (scripts, tests). It runs as one
# transaction, so a failed restore leaves the database as it was. The audit trail's
# append-only trigger refuses UPDATE and DELETE of rows, not DROP TABLE: --clean works, and
# the restored tables get the trigger back. Check the result with `manage.py verify_audit`.
#
# `make backup` and `make restore` call this script. SQLite (no DATABASE_URL): stop the
# processes and copy var/rastrack.sqlite3 instead.
set -euo pipefail

usage() { echo "usage: DATABASE_URL=postgres://... $0 backup|restore  [BACKUP_FILE=...] [CONFIRM=yes]" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
case "${DATABASE_URL:-}" in
  postgres://*|postgresql://*) ;;
  *) echo "DATABASE_URL must name a PostgreSQL database (postgres://...)." >&2; exit 2 ;;
esac
url="${DATABASE_URL/#postgres:\/\//postgresql://}"
dbname="${url##*/}"; dbname="${dbname%%\?*}"

case "$1" in
  backup)
    file="${BACKUP_FILE:-var/backups/rastrack-$(date -u +%Y%m%dT%H%M%SZ).dump}"
    mkdir -p "$(dirname "$file")"
    # Written beside the target, then renamed: a failed dump never looks like a backup.
    pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" --dbname="$url"
    mv "$file.partial" "$file"
    echo "$file"
    ;;
  restore)
    file="${BACKUP_FILE:?set BACKUP_FILE=path/to/rastrack-....dump}"
    [[ -f "$file" ]] || { echo "No such backup: $file" >&2; exit 1; }
    pg_restore --list "$file" >/dev/null  # a readable archive, before anything is dropped
    if [[ "${CONFIRM:-}" != "yes" ]]; then
      [[ -t 0 ]] || { echo "Not a terminal: set CONFIRM=yes to restore without asking." >&2; exit 1; }
      read -r -p "This replaces everything in database '$dbname' with $file. Type '$dbname' to go on: " answer
      [[ "$answer" == "$dbname" ]] || { echo "Not restored." >&2; exit 1; }
    fi
    pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction \
      --dbname="$url" "$file"
    echo "Restored $file into $dbname."
    ;;
  *) usage ;;
esac
