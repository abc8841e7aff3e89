# map_lib.sh - helpers of the "mappings" harm tests (sourced after
# tests/integration/lib.sh and scratch).
MP=$B/tests/harm/progs
BAD=0

# bad MESSAGE: a failed check; the test goes on and fails at the end.
bad() {
	echo "FAIL: $*"
	BAD=$((BAD + 1))
}

# finish: the verdict.
finish() {
	[ "$BAD" -eq 0 ] || fail "$BAD check(s) failed"
	echo "PASS"
	exit 0
}

# status_name N: "N" plus the signal, if N says one killed the program.
status_name() {
	if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
		echo "$1 ($(kill -l "$(($1 - 128))" 2>/dev/null || echo ?))"
	else
		echo "$1"
	fi
}

# run_as NAME FORM CMD...: run CMD plainly (FORM plain), under the
# launcher (ht) or with the library preloaded (preload); stdout in
# $T/NAME.out, stderr in $T/NAME.err, status in $T/NAME.st.
run_as() {
	_rn=$1
	_rf=$2
	shift 2
	set +e
	case $_rf in
	plain) "$@" > "$T/$_rn.out" 2> "$T/$_rn.err" ;;
	ht) "$HT" "$@" > "$T/$_rn.out" 2> "$T/$_rn.err" ;;
	preload) LD_PRELOAD=$LIB${LD_PRELOAD:+:$LD_PRELOAD} "$@" \
		> "$T/$_rn.out" 2> "$T/$_rn.err" ;;
	*) echo "run_as: unknown form $_rf" >&2; exit 2 ;;
	esac
	echo $? > "$T/$_rn.st"
	set -e
}

# same_as NAME REF WHAT: NAME's output and status are REF's.
same_as() {
	_s=$(cat "$T/$1.st")
	_r=$(cat "$T/$2.st")
	if [ "$_s" != "$_r" ]; then
		bad "$3: exit status $(status_name "$_s"), plain $_r"
		sed 's/^/  stderr: /' "$T/$1.err" | tail -n 5
	elif ! cmp -s "$T/$1.out" "$T/$2.out"; then
		bad "$3: output differs from the plain run"
		diff "$T/$2.out" "$T/$1.out" | sed 's/^/  /' | head -n 10
	else
		ok "$3: same output and status ($_s) as plain"
	fi
}

# busy_start PROG ARGS...: start PROG ARGS (a plain instance that maps
# the small folios of its files and waits for end of input) and wait
# until it says "ready".  busy_stop ends it.  At most one at a time.
busy_start() {
	rm -f "$T/busy.fifo"
	mkfifo "$T/busy.fifo"
	"$@" < "$T/busy.fifo" > "$T/busy.out" 2>&1 &
	BUSY=$!
	exec 4> "$T/busy.fifo"
	_i=0
	while ! grep -q '^ready$' "$T/busy.out"; do
		_i=$((_i + 1))
		if [ $_i -gt 200 ] || ! kill -0 "$BUSY" 2>/dev/null; then
			cat "$T/busy.out"
			fail "the busy instance did not start"
		fi
		sleep 0.05
	done
}

busy_stop() {
	exec 4>&-
	wait "$BUSY" || true
	BUSY=
}

# regions SMAPS NAME=PATH...: each mapping of each PATH, merged where
# only a VMA split separates them (same name, perms, flags and key,
# contiguous file offsets), as "NAME OFFSET-END PERMS KEY FLAGS".  The
# address is left out (it changes from run to run); every VmFlags flag
# counts, "hg" too: hugetext reads 2 MiB folios through a mapping of its
# own and marks nothing of the program's MADV_HUGEPAGE.
regions() {
	_sm=$1
	shift
	awk -v spec="$*" '
	BEGIN {
		n = split(spec, a, " ")
		for (i = 1; i <= n; i++) {
			eq = index(a[i], "=")
			name[substr(a[i], eq + 1)] = substr(a[i], 1, eq - 1)
		}
	}
	function hex(s,   i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function tohex(v,   s) {
		s = ""
		do {
			s = substr("0123456789abcdef", v % 16 + 1, 1) s
			v = int(v / 16)
		} while (v > 0)
		return s
	}
	function flush() {
		if (cur == "")
			return
		key = cur " " perms " " pkey " " flags
		if (key == lkey && off == lend) {
			lend = off + len
			return
		}
		emit()
		lkey = key; lname = cur; lperms = perms; lpkey = pkey
		lflags = flags; loff = off; lend = off + len
	}
	function emit() {
		if (lkey != "")
			printf "%s %s-%s %s key=%s %s\n", lname, tohex(loff), \
				tohex(lend), lperms, lpkey, lflags
	}
	/^[0-9a-f]+-[0-9a-f]+ / {
		flush()
		cur = ($6 in name) ? name[$6] : ""
		split($1, r, "-")
		len = hex(r[2]) - hex(r[1])
		off = hex($3)
		perms = $2; pkey = "-"; flags = ""
		next
	}
	cur != "" && $1 == "ProtectionKey:" { pkey = $2 }
	cur != "" && $1 == "VmFlags:" {
		flags = ""
		for (i = 2; i <= NF; i++)
			flags = flags (flags == "" ? "" : ",") $i
	}
	END { flush(); emit() }' "$_sm"
}

# nh_pmd_kb SMAPS PATH: kB PMD-mapped in PATH's MADV_NOHUGEPAGE mappings.
nh_pmd_kb() {
	awk -v p="$2" '
	/^[0-9a-f]+-[0-9a-f]+ / { cur = ($6 == p); pmd = 0; next }
	cur && /^(FilePmdMapped|ShmemPmdMapped):/ { pmd += $2 }
	cur && $1 == "VmFlags:" {
		for (i = 2; i <= NF; i++)
			if ($i == "nh")
				s += pmd
	}
	END { print s + 0 }' "$1"
}

# layout SMAPS NAME=PATH...: the mappings of each PATH relative to the
# file's lowest address, merged where only a VMA split separates them
# (same perms, contiguous addresses and file offsets), and any other
# mapping inside the file's address span, as
# "NAME +START-+END PERMS OFFSET" ("NAME +START-+END PERMS other WHAT").
layout() {
	_sm=$1
	shift
	awk -v spec="$*" '
	BEGIN {
		n = split(spec, a, " ")
		for (i = 1; i <= n; i++) {
			eq = index(a[i], "=")
			name[substr(a[i], eq + 1)] = substr(a[i], 1, eq - 1)
		}
	}
	function hex(s,   i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function tohex(v,   s) {
		s = ""
		do {
			s = substr("0123456789abcdef", v % 16 + 1, 1) s
			v = int(v / 16)
		} while (v > 0)
		return s
	}
	!/^[0-9a-f]+-[0-9a-f]+ / { next }
	{
		split($1, r, "-")
		k = NR
		s[k] = hex(r[1]); e[k] = hex(r[2]); p[k] = $2; o[k] = hex($3)
		w[k] = ($6 == "") ? "anon" : $6
		if ($6 in name) {
			nm = name[$6]
			if (!(nm in lo) || s[k] < lo[nm])
				lo[nm] = s[k]
			if (!(nm in hi) || e[k] > hi[nm])
				hi[nm] = e[k]
		}
		order[++cnt] = k
	}
	function emit() {
		if (!lv)
			return
		printf "%s +%s-+%s %s %s\n", lnm, tohex(ls), tohex(le), lp, \
			lown ? tohex(lo0) : "other " lwhat
	}
	END {
		for (j = 1; j <= cnt; j++) {
			k = order[j]
			for (nm in lo) {
				if (s[k] < lo[nm] || e[k] > hi[nm])
					continue
				own = (w[k] in name) && name[w[k]] == nm
				rs = s[k] - lo[nm]
				if (own && lv && lown && lnm == nm && lp == p[k] &&
				    le == rs && loff == o[k]) {
					le = e[k] - lo[nm]
					loff = o[k] + e[k] - s[k]
					continue
				}
				emit()
				lv = 1; lnm = nm; ls = rs; le = e[k] - lo[nm]
				lp = p[k]; lown = own; lo0 = o[k]
				loff = o[k] + e[k] - s[k]
				lwhat = (w[k] in name) ? name[w[k]] : w[k]
			}
		}
		emit()
	}' "$_sm"
}
