#!/bin/sh
# Installs the lacd .deb with dpkg into a throw-away root and reports what happened.
#
# Usage (as root, inside `unshare --mount --propagation private`):
#   install-in-overlay.sh <deb> <scratch dir>
#
# The root is an overlayfs whose lower layer is this host's / and whose upper layer is
# a tmpfs in the private mount namespace: dpkg, the maintainer scripts (run chrooted by
# dpkg --root) and systemd-analyze see a complete system with the Java runtime and
# libpcap, yet every write (the user, /var/lib/lacd, the dpkg database) vanishes with
# the namespace. No systemd runs inside, so the scripts take their "no systemd" branch.
# Output: key=value lines on stdout, read by PackageInstallIT. Exit 77: cannot run here.
set -eu

deb=$1
scratch=$2

# Exit 77 ("skipped") when this environment cannot build the root (no mount rights,
# no overlayfs): the caller turns that into a skipped test, not a failure.
mount -t tmpfs lacd-test "$scratch" || exit 77
mkdir "$scratch/upper" "$scratch/work" "$scratch/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work" "$scratch/root" || exit 77
root=$scratch/root
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"
cp "$deb" "$root/tmp/lacd.deb"

report() { printf '%s=%s\n' "$1" "$2"; }

# The host's systemd may not run here; make sure the scripts see no running systemd.
report systemd_running_in_root "$( [ -d "$root/run/systemd/system" ] && echo yes || echo no )"
report user_before "$(chroot "$root" getent passwd lacd >/dev/null && echo present || echo absent)"

# --force-depends: the host may satisfy the Java dependency with a runtime that is not a
# Debian package (e.g. a CI image's JDK); Depends is checked statically by the test.
if chroot "$root" dpkg --force-depends -i /tmp/lacd.deb >"$scratch/install.log" 2>&1; then
    report install ok
else
    report install "failed: $(tr '\n' ' ' <"$scratch/install.log")"
fi
report status "$(chroot "$root" dpkg-query -W -f='${Status}' lacd 2>/dev/null || true)"
report user "$(chroot "$root" getent passwd lacd || true)"
report group "$(chroot "$root" getent group lacd || true)"
report state_dir "$(chroot "$root" stat -c '%U:%G %a' /var/lib/lacd 2>/dev/null || echo missing)"
report config_stat "$(chroot "$root" stat -c '%U:%G %a' /etc/lacd/lacd.yaml 2>/dev/null || echo missing)"
report config_override "$(chroot "$root" dpkg-statoverride --list /etc/lacd/lacd.yaml || true)"
report conffiles "$(chroot "$root" dpkg-query -W -f='${Conffiles}' lacd | tr '\n' ';')"
report help_as_lacd "$(chroot "$root" setpriv --reuid=lacd --regid=lacd --clear-groups /usr/bin/lacd --help >/dev/null 2>&1 && echo ok || echo failed)"
# The lacd user reads the root:lacd 0640 sample config through the installed launcher
# (and /etc/default/lacd); another user cannot.
run_as() {
    user=$1
    shift
    gid=$(chroot "$root" id -g "$user")
    if out=$(chroot "$root" setpriv --reuid="$user" --regid="$gid" --init-groups "$@" 2>&1); then
        echo "0 $out" | tr '\n' ' '
    else
        echo "$? $out" | tr '\n' ' '
    fi
}
report check_config_as_lacd "$(run_as lacd /usr/bin/lacd check-config /etc/lacd/lacd.yaml)"
report check_config_as_nobody "$(run_as nobody /usr/bin/lacd check-config /etc/lacd/lacd.yaml)"

# Verify the unit as installed: /usr/bin/lacd exists and the lacd user is known.
if chroot "$root" systemd-analyze verify /lib/systemd/system/lacd.service >"$scratch/verify.log" 2>&1; then
    report verify_rc 0
else
    report verify_rc $?
fi
report verify_lacd_lines "$(grep -i 'lacd' "$scratch/verify.log" | tr '\n' ' ' || true)"

# Reinstall (upgrade path with the same version): must keep the user and the data.
chroot "$root" touch /var/lib/lacd/spool-marker
chroot "$root" chown lacd:lacd /var/lib/lacd/spool-marker
if chroot "$root" dpkg --force-depends -i /tmp/lacd.deb >"$scratch/reinstall.log" 2>&1; then
    report reinstall ok
else
    report reinstall "failed: $(tr '\n' ' ' <"$scratch/reinstall.log")"
fi
report marker_after_reinstall "$( [ -e "$root/var/lib/lacd/spool-marker" ] && echo present || echo absent)"

if chroot "$root" dpkg --purge lacd >"$scratch/purge.log" 2>&1; then
    report purge ok
else
    report purge "failed: $(tr '\n' ' ' <"$scratch/purge.log")"
fi
report state_dir_after_purge "$( [ -e "$root/var/lib/lacd" ] && echo present || echo absent)"
report config_after_purge "$( [ -e "$root/etc/lacd/lacd.yaml" ] && echo present || echo absent)"
report launcher_after_purge "$( [ -e "$root/usr/bin/lacd" ] && echo present || echo absent)"
report override_after_purge "$(chroot "$root" dpkg-statoverride --list /etc/lacd/lacd.yaml || echo none)"
report user_after_purge "$(chroot "$root" getent passwd lacd >/dev/null && echo present || echo absent)"
