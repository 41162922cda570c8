#!/bin/sh
# Builds herald-<version>-linux-x64.tar.gz: a Java runtime cut down with jlink to the modules
# Herald's jar needs, the jar, the launcher and the example configuration. Run by Maven (dist
# module, package phase); nothing is downloaded.
#
#   build-archive.sh JAVA_HOME JAR VERSION REPO_ROOT OUT_DIR
set -eu
java_home=$1 jar=$2 version=$3 root=$4 out=$5

name="herald-$version-linux-x64"
work="$out/archive"
rm -rf "$work" "$out/$name.tar.gz"
mkdir -p "$work/$name/bin" "$work/$name/lib" "$work/$name/config"

# jdeps finds the modules the jar's classes reference. jdk.crypto.ec is added by hand: the JDK
# loads it as a security provider, which jdeps cannot see, and TLS key exchange (wss:// with
# HERALD_TLS_CERT or --tls-self-signed, rediss://, https webhooks) needs its elliptic curves.
modules=$("$java_home/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 -q "$jar")
modules="$modules,jdk.crypto.ec"

# --compress=0: an uncompressed module image gzips better (the archive is 6 MB smaller than with
# jlink's own zip compression) and jlink runs faster.
"$java_home/bin/jlink" \
  --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --compress=0 \
  --output "$work/$name/runtime"

cp "$jar" "$work/$name/lib/herald.jar"
cp "$root/dist/bin/herald" "$work/$name/bin/herald"
chmod 755 "$work/$name/bin/herald"
cp "$root/config/herald.example.yaml" "$root/config/herald.example.json" "$work/$name/config/"
cp -r "$root/config/supervisor" "$root/config/systemd" "$root/config/nginx" "$work/$name/config/"
echo "$version" > "$work/$name/VERSION"

# Sorted, owner-neutral entries: the same inputs give the same listing.
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"
echo "$out/$name.tar.gz: $(du -k "$out/$name.tar.gz" | cut -f1) KiB ($modules)"
