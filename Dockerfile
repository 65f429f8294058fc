# Build with the Swift 6.3 toolchain and a static Swift standard library.
FROM swift:6.3-bookworm AS build
# DL3008 (pin apt versions) is ignored on purpose: Debian removes a superseded package version from the
# archive at its next point release, so a pinned `zlib1g-dev=<version>` stops building within months; the
# version comes from the base image's release (bookworm) instead.
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY config ./config
COPY openapi.yaml ./
RUN swift build -c release --product pros-pricer --static-swift-stdlib \
 && install -D .build/release/pros-pricer /out/pros-pricer

# A slim runtime image, non-root. The binary needs only glibc and zlib1g, both already in bookworm-slim
# (zlib1g is a required package), so nothing is installed.
FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="pros-pricer" \
      org.opencontainers.image.description="Prices New York PROS member-months into Medicaid managed-care claims" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 pros \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin pros
COPY --from=build /out/pros-pricer /usr/local/bin/pros-pricer
COPY config /etc/pros-pricer
COPY LICENSE /usr/share/doc/pros-pricer/LICENSE
USER 10001:10001
EXPOSE 8080
ENV PROS_PRICER_CONFIG=/etc/pros-pricer
# `healthcheck` reads the settings `serve` reads (server.json in PROS_PRICER_CONFIG, PROS_PRICER_PORT, PORT),
# so it probes the port the service listens on.
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["pros-pricer", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["pros-pricer"]
CMD ["serve"]
