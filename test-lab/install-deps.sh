#!/usr/bin/env bash
# Installs the Debian packages lacd's tests and lab use. Idempotent and non-interactive;
# installs only what is missing. Needs root (CI and the lab run as root).
set -euo pipefail

PACKAGES=(
  freeradius freeradius-utils   # real RADIUS server and radclient for the RADIUS and end-to-end tests
  l2tpns                        # a real LNS that terminates PPP (TUN, RADIUS): L2tpnsLabTest and `lab.sh demo --lns l2tpns`
  xl2tpd                        # a real LNS for the L2TP interop test
  pppoe                         # rp-pppoe client: a real PPPoE client for the discovery test
  tshark                        # independent dissector: golden vectors and lab captures
  python3-scapy                 # packet crafting in the lab
  libpcap0.8                    # pcap4j's native library
  iproute2 nftables procps curl # namespaces, veth, packet loss, process control
  ethtool                       # the lab segments lacd's UDP GSO runs at its LNS-side veth, as a NIC without USO would
  gcc libc6-dev                 # the forwarding benchmark compiles its C AF_PACKET forwarder and generator (test-lab/src/main/c)
  strongswan-charon strongswan-swanctl libcharon-extra-plugins  # L2TP/IPsec lab (IpsecLabTest): charon, swanctl, kernel-libipsec (userspace ESP: no ESP in these kernels)
  libstrongswan-standard-plugins  # charon's openssl and gcm plugins: its DH groups (only a recommendation of libstrongswan, which --no-install-recommends leaves out)
  prometheus                    # promtool: unit tests of the shipped alert rules, `check metrics` on a live scrape; the demo's --prometheus server
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: answer no, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
# A fresh cloud VM often runs unattended-upgrades at boot: wait (bounded) for its dpkg/apt locks instead of failing.
# apt-get's own DPkg::Lock::Timeout covers the dpkg frontend lock; the loop also covers the lists lock of update.
LOCK_WAIT=${LACD_DPKG_LOCK_WAIT:-600}
wait_for_apt_locks() {
  local waited=0 said=0
  while command -v fuser >/dev/null && fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1; do
    if [ "$said" -eq 0 ]; then
      echo "install-deps: another apt/dpkg (unattended-upgrades?) holds the dpkg lock; waiting up to ${LOCK_WAIT} s ..."
      said=1
    fi
    if [ "$waited" -ge "$LOCK_WAIT" ]; then
      echo "install-deps: the dpkg lock is still held after ${LOCK_WAIT} s; try again later (LACD_DPKG_LOCK_WAIT sets the wait)" >&2
      exit 1
    fi
    sleep 5
    waited=$((waited + 5))
  done
}
wait_for_apt_locks
apt-get -o DPkg::Lock::Timeout="$LOCK_WAIT" update -qq
wait_for_apt_locks
apt-get -o DPkg::Lock::Timeout="$LOCK_WAIT" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The l2tpns package starts a system l2tpns where systemd runs: the lab runs its own in namespaces with private
# config (/etc/netns/NS/l2tpns), so the system one is stopped and disabled, never configured.
if [[ " ${missing[*]} " == *" l2tpns "* ]]; then
  { systemctl disable --now l2tpns || service l2tpns stop; } >/dev/null 2>&1 || true
fi
# The freeradius package may start a system server on 1812/1813; lacd's tests start their own
# instances on other ports, so a running system one does no harm, but it is not needed.
# The prometheus package enables a system server on :9090 where systemd runs; the tests only use promtool and
# the demo starts its own server in its lacd namespace, so a running system one does no harm either.
echo "install-deps: done"
