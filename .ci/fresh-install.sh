#!/usr/bin/env bash
# Installs blason as a user without the repository would, and runs it where nothing else is:
#   1. publishes the committed HEAD as a module version in a file-based Go module proxy (.ci/modproxy,
#      golang.org/x/mod/zip: the zip a real proxy would serve);
#   2. `go install github.com/francebadge/blason/cmd/blason@latest` from an empty folder, with a fresh
#      HOME, GOPATH and module cache (dependencies from the usual proxy), CGO_ENABLED=0 and -trimpath
#      as the releases (which also lets runs share compiled packages from the build cache);
#   3. checks the binary: module version, no replaced module, static;
#   4. copies only that binary and the demo's content/ and blason.yaml into an empty root folder and
#      runs it there under chroot as an unprivileged user (uid 65532, as in the container image):
#      version; new site, build and verify of a new site under a French locale; build, verify and
#      serve of the demo (pages fetched over HTTP). The theme, contexts and templates can
#      only come from the binary.
# Root is needed for chroot. FRESH_GOCACHE=1 also starts from an empty build cache (slower; the build
# cache only holds compiled packages, keyed by their inputs). Uncommitted changes are not installed.
# Use: bash .ci/fresh-install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
export PATH="$PATH:/usr/local/go/bin"

if [ "$(id -u)" != 0 ]; then
	echo "fresh-install.sh: needs root (chroot)" >&2
	exit 1
fi
tmp="$(mktemp -d /tmp/blason-fresh.XXXXXX)"
serve_pid=
cleanup() {
	if [ -n "$serve_pid" ]; then
		kill "$serve_pid" 2>/dev/null || true
		wait "$serve_pid" 2>/dev/null || true
	fi
	chmod -R u+w "$tmp" 2>/dev/null || true
	rm -rf "$tmp" || true
}
trap cleanup EXIT
step_start=$SECONDS
step() {
	echo "fresh-install: $* ($((SECONDS - step_start)) s)"
}

# 1. The module proxy.
version="$(cd .ci/modproxy && go run . -repo "$repo" -rev HEAD -out "$tmp/proxy")"
step "published github.com/francebadge/blason $version in file://$tmp/proxy"

# 2. go install in a fresh Go environment, from an empty folder (no go.mod around).
mkdir -p "$tmp/home" "$tmp/empty"
gocache="$(go env GOCACHE)"
if [ "${FRESH_GOCACHE:-}" = 1 ]; then gocache="$tmp/gocache"; fi
goenv=(env -u GOFLAGS -u GOWORK HOME="$tmp/home" GOPATH="$tmp/gopath" GOMODCACHE="$tmp/gopath/pkg/mod"
	GOBIN="$tmp/bin" GOCACHE="$gocache" GOTOOLCHAIN=local CGO_ENABLED=0
	GOPROXY="file://$tmp/proxy,$(go env GOPROXY)" GONOSUMDB=github.com/francebadge/blason GOFLAGS="-mod=mod -trimpath")
t0=$SECONDS
(cd "$tmp/empty" && "${goenv[@]}" go install github.com/francebadge/blason/cmd/blason@latest)
step "go install github.com/francebadge/blason/cmd/blason@latest took $((SECONDS - t0)) s"

# 3. The binary.
bin="$tmp/bin/blason"
info="$("${goenv[@]}" go version -m "$bin")"
grep -q "^[[:space:]]*mod[[:space:]]*github.com/francebadge/blason[[:space:]]*$version" <<<"$info" ||
	{ echo "$info"; echo "fresh-install: the binary is not built from module version $version" >&2; exit 1; }
if grep -q "=>" <<<"$info"; then
	echo "$info"; echo "fresh-install: a module is replaced" >&2; exit 1
fi
grep -q "CGO_ENABLED=0" <<<"$info" || { echo "$info"; echo "fresh-install: not built with CGO_ENABLED=0" >&2; exit 1; }
if command -v file >/dev/null 2>&1; then
	file "$bin" | grep -q "statically linked" || { file "$bin"; echo "fresh-install: not static" >&2; exit 1; }
fi
step "binary: $(du -h "$bin" | cut -f1), module $version, no replace, static"

# 4. An empty root holding the binary, /tmp and a copy of the demo sources, owned by uid 65532.
root="$tmp/root"
mkdir -p "$root/bin" "$root/tmp" "$root/work/demo"
chmod 1777 "$root/tmp"
cp "$bin" "$root/bin/blason"
git -C "$repo" archive HEAD content blason.yaml | tar -x -C "$root/work/demo"
chown -R 65532:65532 "$root/work"
chroot="$(command -v chroot)"
run() { env -i HOME=/home/nonroot TMPDIR=/tmp "$chroot" --userspec=65532:65532 "$root" /bin/blason "$@"; }

out="$(run version)"
grep -q "$version" <<<"$out" || { echo "fresh-install: 'blason version' says $out, want $version" >&2; exit 1; }
step "blason version: $out"
# A badge officer's first site: blason new site, build, verify every credential, in French.
t0=$SECONDS
runfr() { env -i HOME=/home/nonroot TMPDIR=/tmp LANG=fr_FR.UTF-8 "$chroot" --userspec=65532:65532 "$root" /bin/blason "$@"; }
runfr new site /work/mysite >"$tmp/new.log" 2>&1 || { cat "$tmp/new.log"; exit 1; }
runfr build -s /work/mysite >"$tmp/newbuild.log" 2>&1 || { cat "$tmp/newbuild.log"; exit 1; }
grep -q "attribution" "$tmp/newbuild.log" || { cat "$tmp/newbuild.log"; echo "fresh-install: the build's summary is not in French" >&2; exit 1; }
space="$(ls "$root/work/mysite/content" | grep -v '^_' | head -n 1)"
base="$(sed -n 's/^baseURL: *//p' "$root/work/mysite/blason.yaml" | tr -d '"')"
runfr verify --site /work/mysite/site -b "$base" "/work/mysite/site/$space/credentials" >"$tmp/newverify.log" 2>&1 ||
	{ cat "$tmp/newverify.log"; echo "fresh-install: verify of the new site failed" >&2; exit 1; }
step "blason new site → build → verify in the empty root, in French, in $((SECONDS - t0)) s: $(tail -n 2 "$tmp/newverify.log" | head -n 1)"

t0=$SECONDS
run build --quiet -s /work/demo 2>"$tmp/build.log" || { cat "$tmp/build.log"; exit 1; }
site="$root/work/demo/site"
n="$(find "$site" -type f | wc -l)"
for f in index.html en/index.html universite/issuer.json universite/did.json; do
	[ -s "$site/$f" ] || { echo "fresh-install: the build wrote no $f" >&2; exit 1; }
done
css="$(find "$site" -name '*.css' -print -quit)"
[ -n "$css" ] || { echo "fresh-install: the build wrote no stylesheet (theme missing?)" >&2; exit 1; }
if [ "$n" -lt 1000 ]; then echo "fresh-install: only $n files built" >&2; exit 1; fi
step "blason build in the empty root: $n files in $((SECONDS - t0)) s"

cred="$(cd "$site" && find universite/credentials -name '*.json' -print -quit)"
# Exit status 3 is a genuine credential that has expired (or been revoked or suspended): which
# credential comes first depends on the folder's order and the demo's dates, both fine here.
rc=0
run verify --site /work/demo/site -b http://localhost:1313/ "/work/demo/site/$cred" >"$tmp/verify.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
	cat "$tmp/verify.log"; echo "fresh-install: verify failed (exit status $rc)" >&2; exit 1
fi
step "blason verify: $(head -n 1 "$tmp/verify.log")"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 18313)"
# Not through run (a function: $! would be the subshell running it): env execs chroot, which execs
# blason, so that $! is blason's own process.
env -i HOME=/home/nonroot TMPDIR=/tmp "$chroot" --userspec=65532:65532 "$root" /bin/blason serve -s /work/demo --port "$port" >"$tmp/serve.log" 2>&1 &
serve_pid=$!
page=
for _ in $(seq 1 120); do
	if page="$(curl -fsS "http://127.0.0.1:$port/" 2>/dev/null)" && [ -n "$page" ]; then break; fi
	if ! kill -0 "$serve_pid" 2>/dev/null; then cat "$tmp/serve.log"; echo "fresh-install: serve stopped" >&2; exit 1; fi
	sleep 0.5
done
grep -q "<html" <<<"$page" || { cat "$tmp/serve.log"; echo "fresh-install: serve answered no page" >&2; exit 1; }
curl -fsS -o /dev/null "http://127.0.0.1:$port/en/" || { echo "fresh-install: no /en/ page" >&2; exit 1; }
kill "$serve_pid"
wait "$serve_pid" 2>/dev/null || true
serve_pid=
step "blason serve answered / and /en/ on port $port"
echo "fresh-install: ok ($SECONDS s)"
