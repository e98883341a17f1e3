#!/bin/sh
# The container image's whole file system, assembled in a directory: the
# binary, exactly the C library files it loads (DESIGN.md §6: libc, libm,
# libdl, libpthread and the loader; nothing else), a passwd/group naming the
# non-root user 65532, and an empty /tmp. The Dockerfile's build stage runs
# this script and its final `FROM scratch` stage copies the result; the image
# test (test/image) runs the same script on the host to build that final stage
# where no base image can be pulled. Plain POSIX sh: it runs in
# node:*-bookworm-slim and on any Debian host.
#
#   sh scripts/image-rootfs.sh ARCH BINARY LIBDIR OUT
#
# ARCH is Docker's name (amd64 or arm64). LIBDIR holds the target's glibc
# files under their sonames (a Debian /lib/<triplet> directory, Debian's
# /usr/aarch64-linux-gnu/lib, or the flat copy the Dockerfile makes). OUT must
# not exist. The state directory is not made here: the Dockerfile creates it
# owned by 65532 (COPY --chown), which a file tree made without root cannot be.
set -eu

if [ "$#" -ne 4 ]; then
  echo "usage: sh scripts/image-rootfs.sh ARCH BINARY LIBDIR OUT" >&2
  exit 2
fi
arch=$1 binary=$2 libdir=$3 out=$4

# Where each architecture's loader and libraries live (the paths the binary's
# ELF interpreter field and the Debian loader's built-in search path name).
case "$arch" in
  amd64) triplet=x86_64-linux-gnu loader=ld-linux-x86-64.so.2 loader_at=lib64 ;;
  arm64) triplet=aarch64-linux-gnu loader=ld-linux-aarch64.so.1 loader_at=lib ;;
  *)
    echo "image-rootfs: no image for architecture '$arch' (Bun builds amd64 and arm64 only)" >&2
    exit 2
    ;;
esac

[ -f "$binary" ] || { echo "image-rootfs: no binary at $binary; run npm run build first" >&2; exit 2; }
[ ! -e "$out" ] || { echo "image-rootfs: $out already exists; give a new directory" >&2; exit 2; }
for lib in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 "$loader"; do
  [ -e "$libdir/$lib" ] || { echo "image-rootfs: $libdir has no $lib (the $arch glibc files)" >&2; exit 2; }
done

umask 022
mkdir -p "$out/usr/local/bin" "$out/lib/$triplet" "$out/$loader_at" "$out/etc" "$out/tmp"
chmod 1777 "$out/tmp"
cp "$binary" "$out/usr/local/bin/immich-job-daemon"
chmod 0755 "$out/usr/local/bin/immich-job-daemon"
# -L: the files themselves, never links into the build machine's tree.
for lib in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0; do
  cp -L "$libdir/$lib" "$out/lib/$triplet/$lib"
done
cp -L "$libdir/$loader" "$out/lib/$triplet/$loader"
# The path the ELF interpreter field names points at it (relative, so the
# link holds in a container, a chroot or an unpacked copy alike).
if [ "$loader_at" = lib ]; then target="$triplet/$loader"; else target="../lib/$triplet/$loader"; fi
ln -s "$target" "$out/$loader_at/$loader"

# The user the image runs as: 65532, the usual "nonroot" id of minimal images.
# No shell and no home: there is nothing to log in to.
printf 'root:x:0:0:root:/nonexistent:/sbin/nologin\nimmich-job-daemon:x:65532:65532:immich-job-daemon:/nonexistent:/sbin/nologin\n' >"$out/etc/passwd"
printf 'root:x:0:\nimmich-job-daemon:x:65532:\n' >"$out/etc/group"
