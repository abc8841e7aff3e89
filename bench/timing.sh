# timing.sh - helpers shared by startup.sh and compare.sh (sourced).
# Needs RT (bench/runtime) and W (a scratch directory) set.

# t LABEL CMD...: time one run of CMD, append ms to $W/LABEL.
t() {
	label=$1
	shift
	"$RT" "$@" 2>&1 >/dev/null | awk '{ printf "%.3f\n", $1 / 1000 }' \
		>> "$W/$label"
}

# stats LABEL: "median (min-max, n=N)" of $W/LABEL.
stats() {
	sort -n "$W/$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%8.3f  (%.3f-%.3f, n=%d)", m, v[1], v[NR], NR }'
}

# med LABEL: the median of $W/LABEL.
med() {
	sort -n "$W/$1" | awk '{ v[NR] = $1 } END {
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# small SRC DST: a copy whose page cache holds 4 KiB folios only.
small() {
	rm -f "$2"
	dd if="$1" of="$2" bs=4096 status=none
	chmod +x "$2"
	sync
}
