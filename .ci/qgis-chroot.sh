#!/usr/bin/env bash
# .ci/qgis-chroot.sh SUITE [MAKE_TARGET...]
#
# Runs this project's `make test` (or the given targets) on the QGIS of another Debian suite:
#   trixie = Debian 13, QGIS 3.40 LTR;  sid = Debian unstable, the newest QGIS Debian carries.
#
#   .ci/qgis-chroot.sh trixie            # make test on QGIS 3.40
#   .ci/qgis-chroot.sh sid test demo     # make test and make demo on the newest QGIS
#
# Steps (each skipped when already done, so a second run only copies the tree and tests):
#   1. a minimal Debian chroot of SUITE made with debootstrap in $QGIS_CHROOT_DIR/SUITE
#      (default /var/tmp/sozialraum-qgis/SUITE), or the one already there;
#   2. /proc, /sys and /dev mounted into it for the run, unmounted on every exit;
#   3. the Makefile's APT_PACKAGES (and make) installed with apt inside;
#   4. the work tree (tracked and untracked, not ignored files) copied to /root/sozialraum inside,
#      and ../shared beside it when it exists (tests that need it skip without it);
#   5. `make TARGET...` run there as root in a clean environment; its exit status is ours.
# Exit status: make's; 75 when the chroot cannot be built or its packages cannot be installed.
# Needs root, debootstrap (installed when missing), git and make. MIRROR=... chooses the Debian mirror;
# PYTEST_ARGS="-x -k name" is handed to pytest inside.

set -euo pipefail

[ $# -ge 1 ] || { sed -n '2,8p' "$0"; exit 2; }
SUITE=$1; shift
TARGETS=("$@"); [ ${#TARGETS[@]} -gt 0 ] || TARGETS=(test)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
ROOT_DIR=${QGIS_CHROOT_DIR:-/var/tmp/sozialraum-qgis}
CHROOT=$ROOT_DIR/$SUITE
PROJECT=$(cd "$(dirname "$0")/.." && pwd -P)
SHARED=$(dirname "$PROJECT")/shared

log() { printf '\n--- qgis-chroot %s (%ds): %s\n' "$SUITE" "$SECONDS" "$*" >&2; }
fail() { printf 'qgis-chroot: %s\n' "$*" >&2; exit 1; }
setup_failed() { printf 'qgis-chroot: could not set up the %s chroot: %s\n' "$SUITE" "$*" >&2; exit 75; }

[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, mount, chroot)"
case "$SUITE" in *[!a-z0-9-]*|"") fail "not a Debian suite name: $SUITE" ;; esac
mkdir -p "$ROOT_DIR"
exec 8>"$CHROOT.lock"
flock -n 8 || fail "another run uses $CHROOT"

release_mounts() {
    local pid m
    # processes started inside (an Xvfb, a stray QGIS) would keep the mounts busy
    for pid in /proc/[0-9]*; do
        [ "$(readlink "$pid/root" 2>/dev/null)" = "$CHROOT" ] && kill -KILL "${pid#/proc/}" 2>/dev/null
    done
    for m in dev sys proc; do
        mountpoint -q "$CHROOT/$m" && { umount -R "$CHROOT/$m" 2>/dev/null || umount -R -l "$CHROOT/$m"; }
    done
    return 0
}
trap 'rc=$?; release_mounts; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Of the host's environment only the proxy and package-index settings and PYTEST_ARGS go inside.
PASS=()
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY PIP_INDEX_URL PIP_EXTRA_INDEX_URL \
         PIP_DEFAULT_TIMEOUT PYTEST_ARGS; do
    [ -n "${!v:-}" ] && PASS+=("$v=${!v}")
done
inside() {
    env -i HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ${PASS[@]+"${PASS[@]}"} chroot "$CHROOT" "$@"
}

# 1. the chroot
if [ -e "$CHROOT/debootstrap" ]; then  # an interrupted debootstrap leaves this folder: start over
    log "removing an unfinished chroot"
    release_mounts
    rm -rf --one-file-system "$CHROOT"
fi
if [ ! -x "$CHROOT/usr/bin/apt-get" ]; then
    command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; } \
        || setup_failed "debootstrap cannot be installed"
    script=()
    [ -e "/usr/share/debootstrap/scripts/$SUITE" ] || script=(/usr/share/debootstrap/scripts/sid)
    log "debootstrap $SUITE"
    mkdir -p "$CHROOT"
    debootstrap --variant=minbase "$SUITE" "$CHROOT" "$MIRROR" ${script[@]+"${script[@]}"} >/dev/null \
        || setup_failed "debootstrap failed"
fi

# 2. mounts and what apt and services need inside
mountpoint -q "$CHROOT/proc" || mount -t proc proc "$CHROOT/proc"
for m in sys dev; do
    mountpoint -q "$CHROOT/$m" || { mount --rbind "/$m" "$CHROOT/$m" && mount --make-rslave "$CHROOT/$m"; }
done
cp -L /etc/resolv.conf "$CHROOT/etc/resolv.conf"
printf 'Acquire::Check-Valid-Until "false";\n' > "$CHROOT/etc/apt/apt.conf.d/99no-valid-until"
printf '#!/bin/sh\nexit 101\n' > "$CHROOT/usr/sbin/policy-rc.d" && chmod 755 "$CHROOT/usr/sbin/policy-rc.d"

# 3. packages: the Makefile's list, so the chroot has what `make setup` would install
packages="$(make -s --no-print-directory -C "$PROJECT" print-apt-packages) make ca-certificates"
# shellcheck disable=SC2016
missing=$(inside sh -c 'provided=$(dpkg-query -W -f="\${Status}|\${Provides}\n" 2>/dev/null \
        | sed -n "s/^install ok installed|//p" | tr "," "\n" | sed "s/ *(.*//; s/^ *//")
    for p; do dpkg-query -W -f="\${Status}\n" "$p" 2>/dev/null | grep -q "^install ok installed" \
        || printf "%s\n" "$provided" | grep -qx -- "$p" || echo "$p"; done' sh $packages | xargs)
if [ -n "$missing" ]; then
    log "apt-get install $missing"
    inside apt-get update -qq || setup_failed "apt-get update failed"
    # shellcheck disable=SC2086
    inside apt-get install -y -qq --no-install-recommends $missing >/dev/null \
        || setup_failed "the packages cannot be installed: $missing"
    inside apt-get clean
fi
# The host's own certificate authorities (a TLS-inspecting proxy, say), so pip reaches PyPI inside as outside
if compgen -G "/usr/local/share/ca-certificates/*" >/dev/null; then
    mkdir -p "$CHROOT/usr/local/share/ca-certificates"
    cp -a /usr/local/share/ca-certificates/. "$CHROOT/usr/local/share/ca-certificates/"
    inside update-ca-certificates >/dev/null
fi
log "$(inside python3 -c 'from qgis.core import Qgis; import sys; print("QGIS", Qgis.version(), "| Python",
    sys.version.split()[0])' 2>/dev/null || echo 'QGIS does not import')"

# 4. the work tree (keeping the chroot's .venv, so pip runs only when requirements change) and ../shared
DEST=$CHROOT/root/sozialraum
mkdir -p "$DEST"
find "$DEST" -mindepth 1 -maxdepth 1 ! -name .venv -exec rm -rf {} +
git -C "$PROJECT" ls-files -z --cached --others --exclude-standard \
    | (cd "$PROJECT" && xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) \
    | tar -C "$PROJECT" --null -T - -cf - | tar -C "$DEST" -xf -
rm -rf "$CHROOT/root/shared"
[ -d "$SHARED" ] && cp -a "$SHARED" "$CHROOT/root/shared"

# 5. make
log "make ${TARGETS[*]}"
set +e
inside /bin/bash -c 'cd /root/sozialraum && make "$@"' bash "${TARGETS[@]}" </dev/null &
wait $!
rc=$?
set -e
log "make ${TARGETS[*]} exited $rc"
exit $rc
