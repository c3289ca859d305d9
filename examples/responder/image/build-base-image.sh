#!/usr/bin/env bash
# Builds a minimal Java 17 base image as a `docker save` tar from the local JDK, with no registry and no
# Docker daemon: a jlink runtime, the shared libraries it links against (from this machine), a non-root
# user and CA certificates. Jib builds the responder image on top of it (tar:// base image).
#
#   build-base-image.sh OUTPUT.tar
#
# Use a registry base image instead where one is reachable:
#   mvn -Pimage -Dimage.base=eclipse-temurin:17-jre -Dimage.skipLocalBase=true ...
set -euo pipefail

out="${1:?usage: build-base-image.sh OUTPUT.tar}"
if [ -s "$out" ]; then echo "base image $out exists"; exit 0; fi
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
[ -d "$java_home/jmods" ] || { echo "no jmods in $java_home: install the JDK's jmods (openjdk-17-jmods)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/opt" "$root/etc" "$root/tmp" "$root/home/nonroot"
chmod 1777 "$root/tmp"

# The modules the responder and its libraries use (client-java, OkHttp, Jackson, logback, picocli,
# Micrometer, the JDK HTTP server); java.desktop for java.beans (SnakeYAML).
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.security.sasl,java.sql,java.xml,java.desktop,java.instrument,jdk.crypto.ec,jdk.httpserver,jdk.unsupported,jdk.management,jdk.zipfs,jdk.localedata
"$java_home/bin/jlink" --module-path "$java_home/jmods" --add-modules "$modules" --strip-debug --no-header-files \
  --no-man-pages --compress=2 --output "$root/opt/java"

# Debian links cacerts to /etc/ssl: put the real file in place.
rm -f "$root/opt/java/lib/security/cacerts"
cp -L "$java_home/lib/security/cacerts" "$root/opt/java/lib/security/cacerts"
for f in "$root"/opt/java/lib/security/*; do [ -L "$f" ] && cp --remove-destination -L "$(readlink -f "$java_home/lib/security/$(basename "$f")")" "$f" || true; done

# Shared libraries the runtime needs, copied from this machine at the same paths.
find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 | xargs -0 -n1 ldd 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u | grep -v "^$root/" | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
for loader in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1; do
  if [ -e "$loader" ]; then mkdir -p "$root$(dirname "$loader")"; cp -L "$loader" "$root$loader"; fi
done

echo 'root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > "$root/etc/passwd"
echo 'root:x:0:
nonroot:x:65532:' > "$root/etc/group"

layer="$work/layer.tar"
(cd "$root" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$layer" -- *)
layer_sha="$(sha256sum "$layer" | cut -d' ' -f1)"
arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
cat > "$work/config.json" <<JSON
{"architecture":"$arch","os":"linux","config":{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java"],"User":"65532:65532","WorkingDir":"/home/nonroot"},"rootfs":{"type":"layers","diff_ids":["sha256:$layer_sha"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"build-base-image.sh: jlink $modules"}]}
JSON
config_sha="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
mkdir -p "$work/image/$layer_sha"
mv "$layer" "$work/image/$layer_sha/layer.tar"
mv "$work/config.json" "$work/image/$config_sha.json"
cat > "$work/image/manifest.json" <<JSON
[{"Config":"$config_sha.json","RepoTags":["kube-incident/java-base:17"],"Layers":["$layer_sha/layer.tar"]}]
JSON
mkdir -p "$(dirname "$out")"
out_abs="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
# Entries without a "./" prefix: Jib refuses to unpack a "./" entry.
(cd "$work/image" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$out_abs" \
  manifest.json "$config_sha.json" "$layer_sha/layer.tar")
echo "base image $out ($(du -h "$out" | cut -f1)): jlink runtime of $java_home"
