#!/usr/bin/env bash
# Installs the independent peers the tests check against, from Debian's packages:
# ffmpeg/ffprobe (decode recordings), GStreamer's RTSP server (an RTSP peer we did not write).
# Idempotent; needs root or sudo. Skips what is already present.
set -euo pipefail
need=()
command -v ffprobe >/dev/null || need+=(ffmpeg)
command -v gst-launch-1.0 >/dev/null || need+=(gstreamer1.0-tools)
/usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer','1.0')" 2>/dev/null \
  || need+=(python3-gi python3-gst-1.0 gir1.2-gst-rtsp-server-1.0)
gst-inspect-1.0 x264enc >/dev/null 2>&1 || need+=(gstreamer1.0-plugins-ugly)
gst-inspect-1.0 rtph264pay >/dev/null 2>&1 || need+=(gstreamer1.0-plugins-good)
gst-inspect-1.0 h264parse >/dev/null 2>&1 || need+=(gstreamer1.0-plugins-bad)
gst-inspect-1.0 avenc_aac >/dev/null 2>&1 || need+=(gstreamer1.0-libav)
gst-inspect-1.0 timeoverlay >/dev/null 2>&1 || need+=(gstreamer1.0-x)
if [ "${WITH_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null; then need+=(chromium); fi
((${#need[@]})) || { echo "media tools present"; exit 0; }
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
tries=0
until $SUDO apt-get update -qq; do ((++tries < 12)) || exit 1; sleep 10; done
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
  "${need[@]}" gstreamer1.0-plugins-base gstreamer1.0-rtsp >/dev/null
echo "media tools installed: ${need[*]}"
