#!/bin/sh
# Builds ldns for the fuzz targets: Debian's own source package (the
# version of the installed libldns-dev where the archive still has it,
# Debian's patches applied) compiled with clang, AddressSanitizer,
# UndefinedBehaviorSanitizer and libFuzzer's coverage
# (-fsanitize=fuzzer-no-link), as a static library.  Linked into the fuzz
# targets it lets the fuzzer see and steer ldns's own branches, and the
# sanitizers catch ldns's own bad reads: the system's ldns is neither.
#
# Usage: tools/build-ldns-fuzz.sh [-f] [PREFIX]
#   PREFIX  where to install it (default: build/ldns-fuzz in the source
#           tree); then ./configure --enable-fuzzing --with-ldns=PREFIX
#   -f      build again even when PREFIX already holds this version
#
# As root it installs what is missing (tools/deps.sh: clang, dpkg-dev,
# libssl-dev, ...) and, when no deb-src entry lets apt-get find ldns's
# source, adds one in /etc/apt/sources.list.d/nmigd-deb-src.sources that
# mirrors the Debian entries already configured.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
force=
while getopts fh opt; do
	case $opt in
	f)	force=1 ;;
	*)	sed -n '10,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
prefix=${1:-$top/build/ldns-fuzz}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)

# Every finding is fatal but one: ldns_rdf_new_frm_data() copies from NULL
# when asked for an empty rdf (a base64 field "0" or "-"), memcpy(p, NULL,
# 0), undefined but harmless with glibc.  It is made recoverable here and
# suppressed for that function alone in tests/fuzz/ubsan.supp, which
# tools/fuzz.sh passes with halt_on_error=1, so that any other NULL
# argument in ldns still ends the run.
CFLAGS_FUZZ="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fsanitize-recover=nonnull-attribute"
LDFLAGS_FUZZ="-fsanitize=address,undefined"
# Debian's configure flags (debian/rules) less the programs and the
# Python module; static only.
CONFIGURE_FLAGS="--disable-rpath --enable-ed25519 --disable-ldns-config
 --disable-shared --enable-static --without-drill --without-examples
 --without-pyldns --without-pyldnsx --without-p5-dns-ldns"

say() {
	echo "build-ldns-fuzz: $*"
}

die() {
	echo "build-ldns-fuzz: $*" >&2
	exit 1
}

. "$top/tools/deps.sh"
nmig_install_fuzz_deps || die "cannot install the packages it needs"

# The Debian entries already configured, as deb-src: deb822 stanzas of
# debian.sources with their Types changed, one-line "deb" entries of
# sources.list as "deb-src".  Nothing else is added: no host is named here.
deb_src_entries() {
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		awk '
			function flush() {
				if (isdeb && !off && n > 0) {
					print "Types: deb-src"
					for (i = 1; i <= n; i++)
						print line[i]
					print ""
				}
				n = 0; isdeb = 0; off = 0
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			/^Types:/ { if ($0 ~ /[ \t]deb([ \t]|$)/) isdeb = 1; next }
			/^Enabled:[ \t]*no/ { off = 1 }
			{ line[++n] = $0 }
			END { flush() }
		' /etc/apt/sources.list.d/debian.sources
	fi
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^[ \t]*deb[ \t]/deb-src /p' /etc/apt/sources.list
	fi
}

has_source() {
	apt-cache showsrc ldns 2>/dev/null | grep -q '^Package: ldns$'
}

if ! has_source; then
	[ "$(id -u)" = 0 ] ||
	    die "apt-get cannot find ldns's source: add a deb-src entry (as root)"
	list=/etc/apt/sources.list.d/nmigd-deb-src.sources
	if [ ! -f "$list" ]; then
		if [ -f /etc/apt/sources.list.d/debian.sources ]; then
			deb_src_entries >"$list.tmp"
		else
			# One-line format: the file must be a .list.
			list=/etc/apt/sources.list.d/nmigd-deb-src.list
			deb_src_entries >"$list.tmp"
		fi
		[ -s "$list.tmp" ] || { rm -f "$list.tmp"; die "no Debian apt entries to mirror as deb-src; add one by hand"; }
		mv "$list.tmp" "$list"
		say "added $list"
	fi
	apt-get update -qq || die "apt-get update failed"
	has_source || die "apt-get still finds no source package ldns"
fi

# The version the system's ldns came from, when the archive has it.
want=$(dpkg-query -W -f='${source:Version}' libldns-dev 2>/dev/null || true)
if [ -n "$want" ] && apt-cache showsrc ldns | grep -qx "Version: $want"; then
	spec=ldns=$want
else
	want=$(apt-cache showsrc ldns | sed -n 's/^Version: //p' | sort -V | tail -n 1)
	spec=ldns
fi
stamp="ldns $want; CC=clang CFLAGS=$CFLAGS_FUZZ; $(echo $CONFIGURE_FLAGS)"
if [ -z "$force" ] && [ -f "$prefix/lib/libldns.a" ] &&
    [ "$(cat "$prefix/.build-ldns-fuzz" 2>/dev/null)" = "$stamp" ]; then
	say "$prefix already holds ldns $want built for fuzzing"
	echo "configure with: --enable-fuzzing --with-ldns=$prefix"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ldns-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt's _apt user downloads into a directory it can write.
chmod 755 "$work"
start=$(date +%s)
say "fetching the source of $spec"
(cd "$work" && apt-get source -qq "$spec" >"$work/source.log" 2>&1) ||
    { cat "$work/source.log" >&2; die "apt-get source $spec failed"; }
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'ldns-*' | head -n 1)
[ -n "$src" ] || die "apt-get source left no ldns-* directory"

say "building $(basename "$src") into $prefix"
cd "$src"
# shellcheck disable=SC2086
if ! CC=clang CFLAGS="$CFLAGS_FUZZ" LDFLAGS="$LDFLAGS_FUZZ" \
    ./configure --prefix="$prefix" $CONFIGURE_FLAGS >"$work/configure.log" 2>&1; then
	tail -n 40 "$work/configure.log" >&2
	tail -n 40 config.log >&2
	die "configure failed"
fi
if ! make -j"$(nproc)" lib >"$work/make.log" 2>&1; then
	tail -n 40 "$work/make.log" >&2
	die "make failed"
fi
rm -rf "$prefix/include/ldns" "$prefix/lib/libldns."*
if ! make install-h install-lib >"$work/install.log" 2>&1; then
	tail -n 40 "$work/install.log" >&2
	die "make install failed"
fi
echo "$stamp" >"$prefix/.build-ldns-fuzz"
say "done in $(( $(date +%s) - start ))s"
echo "configure with: --enable-fuzzing --with-ldns=$prefix"
