#!/bin/sh
# rootfs.sh CACHE_DIR - a Debian bookworm root filesystem with systemd,
# for booting with systemd-nspawn (tests/systemd/run.sh); made once,
# with debootstrap, and kept in CACHE_DIR/bookworm (a directory) with
# CACHE_DIR/bookworm.stamp saying how it was made.  Prints the
# directory.  Callers boot a copy of it, never the directory itself.
#
# Installs debootstrap and systemd-container when they are missing.
# The mirror is the one the machine's apt sources use for bookworm
# (HT_DEBIAN_MIRROR overrides it).  libelf1 is included because the
# installed hugetext opens it (dlopen) to read ELF files, in prime and
# check; nothing pulls it in otherwise.
set -eu

cache=${1:?usage: rootfs.sh CACHE_DIR}
suite=bookworm
include=systemd,systemd-sysv,dbus,libelf1

say() {
	echo "rootfs: $*" >&2
}

die() {
	say "$*"
	exit 2
}

[ "$(id -u)" -eq 0 ] || die "debootstrap needs root"

# mirror: the first URI of an enabled source listing $suite, in the
# one-line (sources.list) or the deb822 (*.sources) format.
mirror() {
	if [ -n "${HT_DEBIAN_MIRROR:-}" ]; then
		echo "$HT_DEBIAN_MIRROR"
		return
	fi
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		2>/dev/null | awk -v s="$suite" '
		$1 == "deb" {
			sub(/\[[^]]*\][ \t]*/, "")
			if ($3 == s) { print $2; exit }
		}')
	[ -n "$m" ] || m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk -v s="$suite" '
		function flush() {
			if (uri != "" && suites ~ ("(^| )" s "( |$)") &&
			    types ~ /(^| )deb( |$)/ && enabled != "no") {
				print uri; done = 1; exit
			}
			uri = suites = types = enabled = ""
		}
		/^[ \t]*$/ { flush(); next }
		/^URIs:/ { uri = $2 }
		/^Suites:/ { $1 = ""; suites = substr($0, 2) }
		/^Types:/ { $1 = ""; types = substr($0, 2) }
		/^Enabled:/ { enabled = tolower($2) }
		END { if (!done) flush() }')
	echo "${m:-http://deb.debian.org/debian}"
}

need=
command -v debootstrap > /dev/null || need="$need debootstrap"
command -v systemd-nspawn > /dev/null || need="$need systemd-container"
if [ -n "$need" ]; then
	say "installing:$need"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $need > /dev/null
fi

url=$(mirror)
recipe="debootstrap --variant=minbase --include=$include $suite ROOT $url"
root=$cache/$suite
stamp=$cache/$suite.stamp
mkdir -p "$cache"

# One maker at a time; the others wait and use its result.
exec 9> "$cache/.lock"
flock 9

if [ -f "$stamp" ] && [ -d "$root" ] &&
	[ "$(sed -n 's/^recipe: //p' "$stamp")" = "$recipe" ]; then
	echo "$root"
	exit 0
fi

say "making the $suite rootfs (once; kept in $cache): $recipe"
rm -rf "$root" "$root.new" "$stamp"
t0=$(date +%s)
debootstrap --variant=minbase --include="$include" "$suite" "$root.new" \
	"$url" > "$cache/debootstrap.log" 2>&1 || {
	tail -n 20 "$cache/debootstrap.log" >&2
	[ ! -f "$root.new/debootstrap/debootstrap.log" ] ||
		tail -n 20 "$root.new/debootstrap/debootstrap.log" >&2
	die "debootstrap failed (log: $cache/debootstrap.log)"
}
# No downloaded packages kept in the copies.
rm -rf "$root.new"/var/cache/apt/archives/*.deb
mv "$root.new" "$root"
{
	echo "recipe: $recipe"
	echo "made: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "seconds: $(($(date +%s) - t0))"
	echo "size: $(du -sh "$root" | cut -f1)"
} > "$stamp"
say "made in $(($(date +%s) - t0)) s"
echo "$root"
