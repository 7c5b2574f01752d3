# SPDX-License-Identifier: GPL-2.0
# Common settings and helpers for the xen-pv-suspend scripts.  Sourced, not run.
#
# Everything that is expensive to make lives in the cache, outside the repo, keyed by
# its inputs:
#   $XPS_CACHE/src/<pkgver>/linux     extracted linux-source tree, a git repo whose
#                                     tag "pristine" is the untouched tarball
#   $XPS_CACHE/build/<pkgver>/<name>  O= build directories (guest, check, ...)
#   $XPS_CACHE/ccache                 ccache directory

set -o pipefail
# Debian's tools first (python3 with python3-ply and friends), not a user's toolchain.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

XPS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XPS_CACHE=${XPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xen-pv-suspend}
XPS_SRC_PKG=${XPS_SRC_PKG:-linux-source-6.1}
XPS_TARBALL=${XPS_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
XPS_JOBS=${XPS_JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$XPS_CACHE/ccache}
# ccache's depend mode: kbuild has gcc write each object's dependencies
# (-Wp,-MMD), so on a miss ccache takes the include list from that instead of
# running the preprocessor once more.  A miss then costs what gcc alone does:
# eight of the guest's larger objects compiled in 16.3 s through ccache's
# default mode, 13.9 s in depend mode, 13.9 s without ccache (2026-12-03, 2
# cores); a cold kernel build is that much shorter.  Compilers run without
# -MD/-MMD fall back to the default mode by themselves.  CCACHE_NODEPEND set:
# the default mode (ccache takes "0" for an error, not for off).
[ -n "${CCACHE_NODEPEND+x}" ] || export CCACHE_DEPEND=1
# Fixed build identity: reproducible output and ccache hits across runs.
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=xps KBUILD_BUILD_HOST=xen-pv-suspend

xps_prog=${xps_prog:-$(basename "$0")}

# The fragments a configuration of the check matrix merges over tinyconfig, in
# order (scripts/build-kernel NAME $(xps_fragments NAME)); status 1 for a name
# that is not one.
xps_fragments() {
	local f=$XPS_REPO/Kconfig.fragment k=$XPS_REPO/tests/kconfig
	case $1 in
	guest) echo "$f" ;;
	modules) echo "$(xps_fragments test) $k/modules.fragment" ;; # test's, its seed
	test) echo "$f $k/debug.fragment $k/hotplug.fragment" ;;
	pvh) echo "$k/pvh.fragment" ;;
	noxen) echo "$k/noxen.fragment" ;;
	*) return 1 ;;
	esac
}

die() {
	printf '%s: error: %s\n' "$xps_prog" "$*" >&2
	exit 1
}

info() {
	printf '%s: %s\n' "$xps_prog" "$*" >&2
}

# xps_build_c SRC OUT GCC-ARGS...: gcc -o OUT SRC GCC-ARGS (libraries last),
# keyed by the source, the arguments, gcc's and libxen-dev's versions (kept in
# OUT.key): an unchanged key rebuilds nothing, a failed build keeps the
# previous OUT.  The last line of stdout is OUT.
xps_build_c() {
	local src=$1 out=$2 key tmp
	shift 2
	[ -f "$src" ] || die "$src: no such file"
	key=$( {
		sha256sum <"$src"
		echo "$*"
		gcc -dumpfullversion
		dpkg-query -W -f='${Version}\n' libxen-dev 2>/dev/null
	} | sha256sum | cut -c1-16)
	if [ -x "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
		info "$out is up to date"
		echo "$out"
		return 0
	fi
	mkdir -p "${out%/*}"
	tmp=$out.tmp.$$
	if ! gcc -o "$tmp" "$src" "$@" >&2; then
		rm -f "$tmp"
		die "cannot build $src (errors above); the previous binary, if any, is kept"
	fi
	# Binary first, key second: a crash in between only costs a rebuild.
	mv "$tmp" "$out"
	echo "$key" >"$out.key"
	info "built $out"
	echo "$out"
}

# Version of the installed kernel source package; empty when not installed.
xps_pkg_version() {
	dpkg-query -W -f='${Status} ${Version}\n' "$XPS_SRC_PKG" 2>/dev/null |
		awk '$3 == "installed" { print $4 }'
}

xps_set_paths() {
	XPS_PKGVER=$(xps_pkg_version)
	[ -n "$XPS_PKGVER" ] ||
		die "$XPS_SRC_PKG is not installed: run 'make deps' (or 'make kernel', which runs it)"
	# scripts/series-check points XPS_TREE at a worktree of the same repo.
	[ -n "${XPS_TREE_OVERRIDE:-}" ] && XPS_TREE=$XPS_TREE_OVERRIDE ||
		XPS_TREE=$XPS_CACHE/src/$XPS_PKGVER/linux
	XPS_BUILD_ROOT=$XPS_CACHE/build/$XPS_PKGVER
}

# Run git in the cached tree with a fixed identity, independent of the user's config.
tgit() {
	git -C "$XPS_TREE" -c user.name=xen-pv-suspend -c user.email=xps@localhost \
		-c core.autocrlf=false -c gc.auto=0 -c advice.detachedHead=false "$@"
}

# Map a file of this repo to its path in the kernel tree (empty if it has none).
xps_tree_path() {
	case $1 in
	drivers/*) echo "$1" ;;
	arch-x86-xen/*) echo "arch/x86/xen/${1#arch-x86-xen/}" ;;
	tests/selftests/*) echo "tools/testing/selftests/${1#tests/selftests/}" ;;
	*) ;;
	esac
}

# New files of the repo that go into the tree, one per line, as repo paths.
xps_overlay_files() {
	(cd "$XPS_REPO" && {
		find drivers arch-x86-xen -type f 2>/dev/null
		[ -d tests/selftests ] && find tests/selftests -type f
	} | LC_ALL=C sort)
}

# The patches of a series exported by scripts/series into DIR, in order, without the
# cover letter.
xps_series_patches() {
	local p
	for p in "$1"/*.patch; do
		case $p in */0000-cover-letter.patch) ;; *) echo "$p" ;; esac
	done
}

# The patches named in patches/series, in order (quilt format: name [-p1], # comments).
xps_series() {
	local line name rest
	[ -f "$XPS_REPO/patches/series" ] || return 0
	while read -r line; do
		line=${line%%#*}
		read -r name rest <<<"$line"
		[ -n "$name" ] || continue
		case $rest in
		'' | -p1) ;;
		*) die "patches/series: unsupported option '$rest' for $name (only -p1)" ;;
		esac
		echo "$name"
	done <"$XPS_REPO/patches/series"
}
