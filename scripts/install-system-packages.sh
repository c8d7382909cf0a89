#!/bin/sh
# System packages the tests use. Installed with apt-get when missing and possible; tests
# that need a package still missing skip with a message saying which.
set -u
PACKAGES="${SYSTEM_PACKAGES:-espeak-ng sox libsox-fmt-all ffmpeg chromium fonts-wqy-microhei haproxy}"
missing=""
for pkg in $PACKAGES; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing system packages:$missing"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null \
        || echo "warning: could not install$missing; the tests that need them will be skipped"
else
    echo "warning: missing system packages:$missing (no apt-get or not root); dependent tests will be skipped"
fi
exit 0
