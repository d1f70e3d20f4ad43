#!/usr/bin/env bash
# Open one of the hall's screens full-screen in Chromium, and keep it open: the kiosk, the
# hall TV, a counter's display or a counter's rating tablet. Installed as
# /usr/local/bin/motcua-kiosk by deploy/install.sh --kiosk, and started at login by
# motcua-kiosk.desktop (see deploy/README.md, "Kiosk and TVs").
#
# Settings, read from /etc/motcua/kiosk.env, then ~/.config/motcua-kiosk.env (which wins):
#   MOTCUA_URL          the hall server, e.g. http://192.168.1.10:8080
#   MOTCUA_SCREEN       kiosk | display | counter-display | rating   (default display)
#   MOTCUA_COUNTER      the counter's number, for counter-display and rating
#   MOTCUA_KIOSK_TOKEN  for a kiosk: its token (motcua device add kiosk-1 --kind kiosk).
#                       The page keeps it and takes it out of the address bar; keeping it
#                       here too re-pairs the kiosk by itself if its browser data is lost.
#   MOTCUA_BROWSER      the browser (default: chromium, chromium-browser or google-chrome)
#   MOTCUA_BROWSER_FLAGS more flags, e.g. --force-device-scale-factor=1.5
#
#   motcua-kiosk --dry-run   prints the address and the browser's command line, opens nothing
set -euo pipefail

dry_run=false
case "${1:-}" in
    --dry-run) dry_run=true ;;
    "") ;;
    *) echo "usage: motcua-kiosk [--dry-run]" >&2; exit 2 ;;
esac

for env_file in "${MOTCUA_KIOSK_SYSTEM_ENV:-/etc/motcua/kiosk.env}" \
    "${XDG_CONFIG_HOME:-$HOME/.config}/motcua-kiosk.env"; do
    if [ -r "$env_file" ]; then
        # shellcheck source=/dev/null
        . "$env_file"
    fi
done

url=${MOTCUA_URL:-}
screen=${MOTCUA_SCREEN:-display}
counter=${MOTCUA_COUNTER:-}
if [ -z "$url" ]; then
    echo "motcua-kiosk: set MOTCUA_URL (the hall server, e.g. http://192.168.1.10:8080) in /etc/motcua/kiosk.env" >&2
    exit 2
fi
url=${url%/}
need_counter() {
    if ! [[ $counter =~ ^[0-9]+$ ]]; then
        echo "motcua-kiosk: MOTCUA_SCREEN=$screen needs MOTCUA_COUNTER (the counter's number)" >&2
        exit 2
    fi
}
case "$screen" in
    kiosk)
        page="$url/kiosk/"
        if [ -n "${MOTCUA_KIOSK_TOKEN:-}" ]; then
            page="$page?token=$MOTCUA_KIOSK_TOKEN"
        fi
        ;;
    display) page="$url/display/" ;;
    counter-display) need_counter; page="$url/display/?counter=$counter" ;;
    rating) need_counter; page="$url/counter/rating.html?counter=$counter" ;;
    *)
        echo "motcua-kiosk: MOTCUA_SCREEN must be kiosk, display, counter-display or rating (it is '$screen')" >&2
        exit 2
        ;;
esac

browser=${MOTCUA_BROWSER:-}
if [ -z "$browser" ]; then
    for candidate in chromium chromium-browser google-chrome; do
        if command -v "$candidate" >/dev/null; then
            browser=$candidate
            break
        fi
    done
fi
if [ -z "$browser" ]; then
    echo "motcua-kiosk: no Chromium found: sudo apt-get install chromium" >&2
    exit 2
fi

# A profile of its own: the kiosk's pairing and a clerk's sign-in on the rating tablet
# survive restarts, and nothing else the user does touches them.
profile="${XDG_CONFIG_HOME:-$HOME/.config}/motcua-kiosk-browser"
flags=(
    --kiosk
    --user-data-dir="$profile"
    --no-first-run
    --no-default-browser-check
    --noerrdialogs
    --disable-infobars
    --disable-session-crashed-bubble
    --hide-crash-restore-bubble
    --disable-translate
    "--disable-features=Translate,TranslateUI"
    --disable-pinch
    --overscroll-history-navigation=0
    --password-store=basic
    --check-for-update-interval=31536000
    # The hall TV speaks the calls without anyone touching it.
    --autoplay-policy=no-user-gesture-required
)
# shellcheck disable=SC2206 # extra flags are words on purpose
extra=(${MOTCUA_BROWSER_FLAGS:-})

if $dry_run; then
    echo "$page"
    echo "$browser ${flags[*]} ${extra[*]} $page"
    exit 0
fi

# The screen never sleeps. X11: no screen saver, no blanking, no power saving.
if [ -n "${DISPLAY:-}" ] && command -v xset >/dev/null; then
    xset s off || true
    xset s noblank || true
    xset -dpms || true
fi
# GNOME (X11 or Wayland): no idle dimming or blanking, no suspend.
if command -v gsettings >/dev/null; then
    gsettings set org.gnome.desktop.session idle-delay 0 2>/dev/null || true
    gsettings set org.gnome.settings-daemon.plugins.power sleep-inactive-ac-type nothing 2>/dev/null || true
    gsettings set org.gnome.desktop.screensaver lock-enabled false 2>/dev/null || true
fi

# After a power cut this PC may be up before the server: wait for it, or Chromium would
# show its own error page, which does not retry.
health="$url/healthz"
answers() {
    if command -v curl >/dev/null; then
        curl -fsS --max-time 3 -o /dev/null "$health" 2>/dev/null
    elif command -v wget >/dev/null; then
        wget -q -T 3 -O /dev/null "$health"
    else
        return 0 # nothing to ask with: open the page and let it be
    fi
}
waited=0
until answers; do
    if [ "$waited" -eq 0 ]; then
        echo "motcua-kiosk: waiting for $health" >&2
    elif [ "$waited" -ge 600 ]; then
        echo "motcua-kiosk: $health still does not answer; opening the page anyway" >&2
        break
    fi
    sleep 3
    waited=$((waited + 3))
done

# Chromium remembers a crash or a power cut and would offer to restore the last session.
prefs="$profile/Default/Preferences"
inhibit=()
if command -v systemd-inhibit >/dev/null; then
    inhibit=(systemd-inhibit --what=idle:sleep --who=motcua-kiosk --why="the hall's screen stays on")
fi
# Keep the screen up: if the browser is closed or crashes, open it again.
while true; do
    if [ -f "$prefs" ]; then
        sed -i -e 's/"exited_cleanly":false/"exited_cleanly":true/' \
            -e 's/"exit_type":"[^"]*"/"exit_type":"Normal"/' "$prefs" || true
    fi
    "${inhibit[@]}" "$browser" "${flags[@]}" "${extra[@]}" "$page" || true
    sleep 2
done
