#!/bin/sh
# Start the local services the test suite talks to, if they are not running.
# PostgreSQL: the machine's own cluster (127.0.0.1:5432, trust auth).
set -eu

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "PostgreSQL is down; starting it"
    version=$(ls /etc/postgresql | sort -n | tail -1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 -p 5432 && break
        sleep 1
    done
fi
pg_isready -h 127.0.0.1 -p 5432

# Redis: the broadcast tests' fan-out; an ephemeral instance, nothing persisted.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "Redis is down; starting it"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
        --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 30); do
        redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
        sleep 1
    done
fi
redis-cli -h 127.0.0.1 -p 6379 ping

# ClamAV: only the binaries. The tests start a private clamd with a database
# holding nothing but the EICAR test signature (tests/files/clamd.py). The
# system daemon and freshclam must not start (no signature mirror is
# reachable): a policy-rc.d that denies every start is put in place for the
# install unless the machine already has one (Docker images do). If the
# package's start attempt fails anyway, the binaries are all we need.
clamav_present() {
    { command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ]; } &&
        command -v sigtool >/dev/null 2>&1
}
install_clamav() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        clamav-daemon clamav || clamav_present
}
if ! clamav_present; then
    echo "ClamAV is missing; installing clamav-daemon and clamav"
    policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    install_clamav || { apt-get update && install_clamav; }
fi
clamav_present
