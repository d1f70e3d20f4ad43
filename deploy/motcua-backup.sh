#!/usr/bin/env bash
# One backup of the hall's database, and only the newest ones kept. Run daily by
# motcua-backup.timer as the motcua user; installed as /usr/local/lib/motcua/motcua-backup.
#
#   MOTCUA_DATA         the data directory            (default /var/lib/motcua)
#   MOTCUA_BACKUP_DIR   where backups go              (default /var/backups/motcua)
#   MOTCUA_BACKUP_KEEP  how many daily backups to keep (default 14)
#   MOTCUA_BIN          the motcua binary             (default /usr/local/bin/motcua)
#
# Backups are named motcua-YYYYMMDD-HHMMSS.sqlite3, so their names sort by time. Only
# files named like that are ever removed: a copy you name yourself (say
# motcua-before-upgrade.sqlite3) stays until you remove it.
set -euo pipefail

motcua=${MOTCUA_BIN:-/usr/local/bin/motcua}
data=${MOTCUA_DATA:-/var/lib/motcua}
dir=${MOTCUA_BACKUP_DIR:-/var/backups/motcua}
keep=${MOTCUA_BACKUP_KEEP:-14}
# motcua reads every MOTCUA_ variable as a setting: these four are not settings.
unset MOTCUA_BIN MOTCUA_DATA MOTCUA_BACKUP_DIR MOTCUA_BACKUP_KEEP

if ! [[ $keep =~ ^[0-9]+$ ]] || [ "$keep" -lt 1 ]; then
    echo "motcua-backup: MOTCUA_BACKUP_KEEP must be a whole number, at least 1 (it is '$keep')" >&2
    exit 2
fi

mkdir -p -- "$dir"
out="$dir/motcua-$(date +%Y%m%d-%H%M%S).sqlite3"
"$motcua" backup --data "$data" --out "$out"

# Newest first; everything after the first $keep goes.
removed=0
while IFS= read -r old; do
    rm -f -- "$dir/$old"
    echo "removed old backup $dir/$old"
    removed=$((removed + 1))
done < <(find "$dir" -maxdepth 1 -type f -name 'motcua-[0-9]*-[0-9]*.sqlite3' -printf '%f\n' \
    | sort -r | tail -n +"$((keep + 1))")
echo "keeping the newest $keep backups in $dir ($removed removed)"
