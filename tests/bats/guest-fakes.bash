# What a RHEL 9 and a Windows Server 2022 guest print for check-vms'
# commands, as scripts in the bin/ of a tests/sshd/guest.bash guest (DIR):
# shared by tests/bats/e2e-guest.bats and make bench's guest section.

# The fake commands of a Linux guest: os-release read by relative path
# from DIR/home (the session's cwd), the rest printed.
linux_guest() {
	local dir=$1 host=$2 mac=$3 ip=$4
	cat >"$dir/home/os-release" <<EOF
NAME="Red Hat Enterprise Linux"
VERSION="9.4 (Plow)"
ID="rhel"
VERSION_ID="9.4"
PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"
EOF
	cat >"$dir/bin/hostname" <<EOF
#!/bin/sh
echo $host
EOF
	cat >"$dir/bin/cat" <<'EOF'
#!/bin/sh
[ "$1" = /etc/os-release ] && exec /bin/cat os-release
exec /bin/cat "$@"
EOF
	cat >"$dir/bin/ip" <<EOF
#!/bin/sh
[ "\$*" = "-j addr" ] || { echo "ip: unexpected arguments: \$*" >&2; exit 1; }
cat <<'JSON'
[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"mtu":65536,"link_type":"loopback","address":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8},{"family":"inet6","local":"::1","prefixlen":128}]},
{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP"],"mtu":1500,"link_type":"ether","address":"$mac","addr_info":[{"family":"inet","local":"$ip","prefixlen":24,"dynamic":true},{"family":"inet6","local":"fe80::250:56ff:fec0:1","prefixlen":64}]}]
JSON
EOF
	chmod 0755 "$dir/bin/hostname" "$dir/bin/cat" "$dir/bin/ip"
}

# A Windows guest: `hostname`, and powershell answering the two commands
# check-vms runs with what Windows PowerShell 5.1 prints (CRLF, and here the
# {value, Count} form of an array for the adapters).
windows_guest() {
	local dir=$1 host=$2 net=$3
	printf '%s\n' "$net" >"$dir/home/net.json"
	cat >"$dir/bin/hostname" <<EOF
#!/bin/sh
echo $host
EOF
	cat >"$dir/bin/powershell" <<'EOF'
#!/bin/sh
case "$*" in
*Win32_OperatingSystem*) printf 'Microsoft Windows Server 2022 Standard\r\n' ;;
*Get-NetAdapter*Get-NetIPAddress*) /bin/cat net.json ;;
*) echo "powershell: unexpected: $*" >&2; exit 1 ;;
esac
EOF
	chmod 0755 "$dir/bin/hostname" "$dir/bin/powershell"
}
