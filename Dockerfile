# syntax=docker/dockerfile:1
#
# Blason in a container: a static blason binary (no C library: the SQLite driver of the claim store
# is pure Go) in a distroless image running as an unprivileged user. The site's sources (blason.yaml,
# content/, keys/) are mounted at /blason, the working directory. docs/install.md has the
# `docker run` lines for build, serve and claim.
#
#   docker build -t blason --build-arg VERSION="$(git describe --tags --always)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" --build-arg DATE="$(git log -1 --format=%cI)" .
#
# Releases (.goreleaser.yaml) build the same final image around the binaries GoReleaser has already
# built: BLASON_BINARY=prebuilt takes linux/<arch>/blason from the build context instead of compiling
# (BuildKit builds only the stages the final one needs).

ARG GO_VERSION=1.26
ARG BLASON_BINARY=build

# Builder: cross-compiles for the target platform on the build machine's own architecture.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
# Modules first, so that a change to the code does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
ARG VERSION=""
ARG COMMIT=""
ARG DATE=""
# The version variables are set only when given, so that an empty build argument leaves the binary's
# own fallback (the module version Go records) in place.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    set -eu; ldflags="-s -w"; \
    if [ -n "$VERSION" ]; then ldflags="$ldflags -X main.version=$VERSION"; fi; \
    if [ -n "$COMMIT" ]; then ldflags="$ldflags -X main.commit=$COMMIT"; fi; \
    if [ -n "$DATE" ]; then ldflags="$ldflags -X main.date=$DATE"; fi; \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
      go build -trimpath -buildvcs=false -ldflags "$ldflags" -o /out/blason ./cmd/blason; \
    mkdir /out/work

# The binary GoReleaser built for this platform (its build context holds <os>/<arch>/blason).
FROM scratch AS prebuilt
ARG TARGETPLATFORM
COPY $TARGETPLATFORM/blason /out/blason
WORKDIR /out/work

FROM ${BLASON_BINARY} AS binary

# Final image: CA certificates (verify and claim fetch https URLs), time zones, /tmp (serve builds its
# preview there), user nonroot (65532); no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=binary /out/blason /usr/local/bin/blason
# The working folder belongs to the image's user (an empty folder copied with its owner: the image
# has no shell to run mkdir), so that a volume Docker creates there is writable too.
COPY --from=binary --chown=65532:65532 /out/work /blason
WORKDIR /blason
VOLUME /blason
# 1313: blason serve --bind 0.0.0.0; 8080: blason claim --listen 0.0.0.0:8080.
EXPOSE 1313 8080
ENTRYPOINT ["blason"]
CMD ["help"]
