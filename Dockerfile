# syntax=docker/dockerfile:1
# Ringway's image: docker build -t ringway:0.1.0-SNAPSHOT .
# Kubernetes manifests that run it: k8s/ (see k8s/README.md).

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 between builds without putting it in a layer.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -Dmaven.test.skip=true -Dringway.aot.skip=true -pl modules/ringway-launcher -am package

FROM eclipse-temurin:25-jre
# A fixed numeric user, so Kubernetes can check runAsNonRoot; home on /tmp, the one writable place when the
# root filesystem is read-only.
RUN groupadd --system --gid 10001 ringway \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin ringway
WORKDIR /opt/ringway
COPY --from=build /src/modules/ringway-launcher/target/ringway.jar ringway.jar
COPY conf/ conf/
# The AOT cache (JDK 25, JEP 483/514/515), trained here on this image's JVM and the flags of conf/jvm.options: a cache
# only fits the exact JVM build that wrote it, so it is not carried over from the build stage. The training run is a
# node on free loopback ports under load for 8 s (`ringway.jar train`); ~30 s of build time. If the runtime JVM or
# flags differ, the JVM logs "[aot] ... Unable to map shared spaces" and starts without it.
RUN java @conf/jvm.options -XX:AOTCacheOutput=/opt/ringway/ringway.aot -Xlog:aot=error -Xlog:cds=error \
        -Djava.io.tmpdir=/tmp -jar /opt/ringway/ringway.jar train \
 && test -s /opt/ringway/ringway.aot
USER 10001:10001
# HTTP, TCP proxy, admin, tunnel underlay, Hazelcast member
EXPOSE 8080 9000 9901 51820/udp 5701
# Half the memory limit for the heap: Netty's direct buffers, Hazelcast and the JVM itself live outside it.
# Netty and JNA unpack native libraries to /tmp. Ringway handles SIGTERM itself (drain, then exit 0).
# conf/jvm.options: generational ZGC and the native-access flag, the flags the AOT cache was trained with.
ENTRYPOINT ["java", "@/opt/ringway/conf/jvm.options", "-XX:AOTCache=/opt/ringway/ringway.aot", \
            "-XX:MaxRAMPercentage=50", "-XX:+ExitOnOutOfMemoryError", \
            "-Djava.io.tmpdir=/tmp", "-Djna.tmpdir=/tmp", "-jar", "/opt/ringway/ringway.jar"]
CMD ["run"]
