# Build with the Swift 6.3 toolchain and a static Swift standard library.
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY config ./config
COPY openapi.yaml ./
RUN swift build -c release --product pros-pricer --static-swift-stdlib \
 && install -D .build/release/pros-pricer /out/pros-pricer

# A slim runtime image, non-root.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends zlib1g ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home pros
COPY --from=build /out/pros-pricer /usr/local/bin/pros-pricer
COPY config /etc/pros-pricer
USER 10001
EXPOSE 8080
ENV PROS_PRICER_CONFIG=/etc/pros-pricer
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["pros-pricer", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["pros-pricer"]
CMD ["serve"]
