#!/usr/bin/env bash
# Install motcua on this box from a release build, or upgrade it: run it again after
# building a newer version. It never overwrites a configuration or touches the data.
#
#   cargo build --release --locked
#   sudo deploy/install.sh            # the hall server: motcua, its service, daily backups
#   sudo deploy/install.sh --kiosk    # a kiosk PC: print agent, printer udev rule, kiosk launcher
#   sudo deploy/install.sh --server --kiosk   # both on one box
#
# Options:
#   --root DIR     install under DIR instead of / (also DESTDIR=DIR): for packaging or a
#                  test. Users are not created, ownership is not set and systemd is not
#                  told; everything else is laid out exactly as on a real box.
#   --bin-dir DIR  where the built binaries are (default: target/release of this checkout)
#
# What goes where (see deploy/README.md):
#   /usr/local/bin/motcua, motcua-printer, motcua-kiosk      the programs
#   /usr/local/lib/motcua/motcua-backup                      the daily backup script
#   /etc/systemd/system/motcua*.service, motcua-backup.timer the services
#   /etc/motcua/*.toml, *.env                                settings (only if missing)
#   /var/lib/motcua                                          the database (user motcua)
#   /var/backups/motcua                                      daily backups
#   /etc/udev/rules.d/60-motcua-printer.rules                USB printers for the agent
#   /usr/local/share/doc/motcua, /usr/local/share/motcua     guide, examples, kiosk files
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit 2
}

root=${DESTDIR:-}
bin_dir=""
server=false
kiosk=false
while [ $# -gt 0 ]; do
    case "$1" in
        --root) [ $# -ge 2 ] || usage; root=$2; shift 2 ;;
        --root=*) root=${1#--root=}; shift ;;
        --bin-dir) [ $# -ge 2 ] || usage; bin_dir=$2; shift 2 ;;
        --bin-dir=*) bin_dir=${1#--bin-dir=}; shift ;;
        --server) server=true; shift ;;
        --kiosk) kiosk=true; shift ;;
        -h | --help) usage ;;
        *) echo "install.sh: unknown option '$1'" >&2; usage ;;
    esac
done
if ! $server && ! $kiosk; then
    server=true
fi

deploy=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$deploy")
bin_dir=${bin_dir:-$repo/target/release}
root=${root%/}
real=true
if [ -n "$root" ]; then
    real=false
    mkdir -p -- "$root"
    root=$(cd "$root" && pwd)
fi

if $real && [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run it as root: sudo $0 $*" >&2
    exit 1
fi

binaries=()
$server && binaries+=(motcua)
$kiosk && binaries+=(motcua-printer)
for b in "${binaries[@]}"; do
    if [ ! -x "$bin_dir/$b" ]; then
        echo "install.sh: $bin_dir/$b is missing: build it first with 'cargo build --release --locked'" >&2
        exit 1
    fi
done

# A system user that owns its service's files and nothing else.
ensure_user() { # name home
    if ! $real; then
        return
    fi
    if id -u "$1" >/dev/null 2>&1; then
        return
    fi
    useradd --system --user-group --home-dir "$2" --no-create-home \
        --shell /usr/sbin/nologin --comment "motcua ($1)" "$1"
    echo "created user $1"
}

# install(1) options for an owner, on a real box only.
owner_args() { # owner:group
    if $real && [ -n "${1:-}" ]; then
        echo "-o ${1%%:*} -g ${1##*:}"
    fi
}

# Ours, replaced on every run (a new version). Written beside and renamed, so a running
# program is never overwritten in place.
put_file() { # source dest mode [owner:group]
    local dest=$root$2
    mkdir -p -- "$(dirname "$dest")"
    # shellcheck disable=SC2046 # owner_args is words on purpose
    install -m "$3" $(owner_args "${4:-}") -- "$1" "$dest.new"
    mv -f -- "$dest.new" "$dest"
    echo "installed $2"
}

# Yours once installed: written only if missing, never changed afterwards.
put_config() { # source dest mode [owner:group]
    local dest=$root$2
    if [ -e "$dest" ]; then
        echo "kept      $2 (already there, not changed)"
        return
    fi
    mkdir -p -- "$(dirname "$dest")"
    # shellcheck disable=SC2046
    install -m "$3" $(owner_args "${4:-}") -- "$1" "$dest"
    echo "created   $2"
}

make_dir() { # dest mode [owner:group]
    # shellcheck disable=SC2046
    install -d -m "$2" $(owner_args "${3:-}") -- "$root$1"
}

docs() {
    make_dir /usr/local/share/doc/motcua 0755
    put_file "$deploy/README.md" /usr/local/share/doc/motcua/README.md 0644
    put_file "$deploy/CONFIG.md" /usr/local/share/doc/motcua/CONFIG.md 0644
    put_file "$deploy/motcua.example.toml" /usr/local/share/doc/motcua/motcua.example.toml 0644
}

make_dir /etc/motcua 0755
if $server; then
    ensure_user motcua /var/lib/motcua
    put_file "$bin_dir/motcua" /usr/local/bin/motcua 0755
    put_file "$deploy/motcua-backup.sh" /usr/local/lib/motcua/motcua-backup 0755
    for unit in motcua.service motcua-backup.service motcua-backup.timer; do
        put_file "$deploy/systemd/$unit" "/etc/systemd/system/$unit" 0644
    done
    put_config "$deploy/motcua.example.toml" /etc/motcua/motcua.toml 0640 root:motcua
    put_config "$deploy/backup.env" /etc/motcua/backup.env 0644
    make_dir /var/lib/motcua 0750 motcua:motcua
    make_dir /var/backups/motcua 0750 motcua:motcua
    make_dir /usr/local/share/doc/motcua/proxy 0755
    put_file "$deploy/proxy/Caddyfile" /usr/local/share/doc/motcua/proxy/Caddyfile 0644
    put_file "$deploy/proxy/nginx.conf" /usr/local/share/doc/motcua/proxy/nginx.conf 0644
fi
if $kiosk; then
    ensure_user motcua-printer /var/lib/motcua-printer
    put_file "$bin_dir/motcua-printer" /usr/local/bin/motcua-printer 0755
    put_file "$deploy/kiosk/motcua-kiosk.sh" /usr/local/bin/motcua-kiosk 0755
    put_file "$deploy/systemd/motcua-printer-agent.service" \
        /etc/systemd/system/motcua-printer-agent.service 0644
    put_file "$deploy/udev/60-motcua-printer.rules" /etc/udev/rules.d/60-motcua-printer.rules 0644
    put_config "$deploy/printer-agent.env" /etc/motcua/printer-agent.env 0640 root:motcua-printer
    put_config "$deploy/kiosk/kiosk.env" /etc/motcua/kiosk.env 0644
    make_dir /usr/local/share/motcua/kiosk 0755
    put_file "$deploy/kiosk/motcua-kiosk.desktop" /usr/local/share/motcua/kiosk/motcua-kiosk.desktop 0644
    put_file "$deploy/kiosk/lightdm-autologin.conf" /usr/local/share/motcua/kiosk/lightdm-autologin.conf 0644
fi
docs

if ! $real; then
    echo "installed under $root (no users, ownership or systemd: not a real install)"
    exit 0
fi

if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    if $server; then
        systemctl enable motcua.service
        systemctl enable --now motcua-backup.timer
    fi
else
    echo "systemd is not running here: start the services yourself"
fi
if $kiosk && command -v udevadm >/dev/null; then
    udevadm control --reload || true
    udevadm trigger --subsystem-match=usbmisc || true
fi

echo
echo "Next (deploy/README.md says more):"
if $server; then
    if systemctl is-active --quiet motcua 2>/dev/null; then
        echo "  the server is running the old version: sudo systemctl restart motcua"
    else
        echo "  1. describe the hall (fields, counters): sudo nano /etc/motcua/motcua.toml"
        echo "  2. start it:        sudo systemctl start motcua   (log: journalctl -u motcua -f)"
        echo "  3. an admin:        sudo -u motcua motcua user add admin --role admin --config /etc/motcua/motcua.toml"
    fi
fi
if $kiosk; then
    echo "  print agent: set the server's address in /etc/motcua/printer-agent.env, then"
    echo "               sudo systemctl enable --now motcua-printer-agent; the printer prints"
    echo "               a pairing code: enter it on the admin pages, Thiết bị (Devices)"
    echo "  the screen:  set /etc/motcua/kiosk.env, copy /usr/local/share/motcua/kiosk/motcua-kiosk.desktop"
    echo "               to ~/.config/autostart/ of the user that logs in on this screen"
fi
