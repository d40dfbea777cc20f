#!/usr/bin/env bash
# Installs the Debian packages the application needs when they are missing:
#   run:  CJK fonts (certificates and pages in Chinese), Pango (WeasyPrint), poppler-utils and
#         ffmpeg (lesson videos)
#   test: the same plus chromium (browser journeys), zbar-tools (reading printed QR codes) and
#         postgresql-client (pg_dump/pg_restore for the backup round trip)
#   scan: the same as run plus sqlmap, wapiti and openssl (`make scan`)
#   bench: the same as run plus nginx (the cluster benchmark puts it in front of the web nodes)
#   test also installs nginx: the cluster test and the cluster benchmark's smoke run use it
set -euo pipefail
purpose="${1:-run}"
missing=()
fc-list :lang=zh 2>/dev/null | grep -qi "noto serif cjk" || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "AR PL UMing" || missing+=(fonts-arphic-uming)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
# Lesson videos: checked with ffprobe, posters and lighter renditions made with ffmpeg.
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
# WeasyPrint (certificate PDFs) lays text out with Pango.
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ "$purpose" = scan ]; then
  command -v sqlmap >/dev/null 2>&1 || missing+=(sqlmap)
  command -v wapiti >/dev/null 2>&1 || missing+=(wapiti)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
fi
if [ "$purpose" = test ] || [ "$purpose" = bench ]; then
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
fi
if [ "$purpose" = test ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
  command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "Cannot install ${missing[*]}: run as root or install them yourself." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
