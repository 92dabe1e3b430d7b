#!/usr/bin/python3
"""GStreamer RTSP server (gst-rtsp-server) for mediagraph's interoperability tests.

Serves the committed fixtures in test/fixtures/media on 127.0.0.1:
  /h264-aac   h264-main-aac.mp4  (H.264 Main 320x180 25 fps + AAC 48 kHz stereo)
  /h265       h265-main.mp4      (H.265 Main 320x180 25 fps)
  /pattern    videotestsrc encoded live with x264 (when x264enc is installed)
  /slices     the same, 4 slices a frame and SPS/PPS before every IDR slice, + AAC (a camera quirk)
and, on a second port where Basic auth (--user/--password) is required for every mount:
  /secure     like /h264-aac
Each client gets its own pipeline from the start of the file (no sharing), so a probe
sees the first keyframe at once. Prints `READY <open base URL> <auth base URL>`.
"""
import argparse, os, signal, sys
import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtspServer, GLib

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'fixtures', 'media')


def file_launch(path, video_pay, audio):
    parts = [f'filesrc location="{path}" ! qtdemux name=demux',
             f'demux.video_0 ! queue ! {video_pay} name=pay0 pt=96 config-interval=-1']
    if audio:
        parts.append('demux.audio_0 ! queue ! rtpmp4gpay name=pay1 pt=97')
    return '( ' + ' '.join(parts) + ' )'


def factory(launch, role=None):
    f = GstRtspServer.RTSPMediaFactory()
    f.set_launch(launch)
    f.set_shared(False)
    if role:
        perms = GstRtspServer.RTSPPermissions()
        perms.add_permission_for_role(role, 'media.factory.access', True)
        perms.add_permission_for_role(role, 'media.factory.construct', True)
        f.set_permissions(perms)
    return f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', default='0')
    ap.add_argument('--user', default='user')
    ap.add_argument('--password', default='secret')
    args = ap.parse_args()
    Gst.init(None)
    h264 = os.path.abspath(os.path.join(FIXTURES, 'h264-main-aac.mp4'))
    h265 = os.path.abspath(os.path.join(FIXTURES, 'h265-main.mp4'))

    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(args.port)
    mounts = server.get_mount_points()
    mounts.add_factory('/h264-aac', factory(file_launch(h264, 'rtph264pay', True)))
    mounts.add_factory('/h265', factory(file_launch(h265, 'rtph265pay', False)))
    if Gst.ElementFactory.find('x264enc'):
        mounts.add_factory('/pattern', factory(
            '( videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=25/1 '
            '! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph264pay name=pay0 pt=96 )'))
        # A camera quirk: four slices a frame, SPS/PPS repeated before every IDR slice, + AAC.
        # ffmpeg -c copy records it with duplicate DTS; a recorder must not.
        mounts.add_factory('/slices', factory(
            '( videotestsrc is-live=true ! video/x-raw,format=I420,width=640,height=360,framerate=25/1 '
            '! x264enc tune=zerolatency speed-preset=ultrafast sliced-threads=true threads=4 key-int-max=25 '
            '! rtph264pay name=pay0 pt=96 config-interval=-1 '
            'audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! avenc_aac ! rtpmp4gpay name=pay1 pt=97 )'))

    # Without a default token, an unauthenticated request is answered 401 with a Basic challenge.
    secure = GstRtspServer.RTSPServer()
    secure.set_address('127.0.0.1')
    secure.set_service('0')
    auth = GstRtspServer.RTSPAuth()
    user = GstRtspServer.RTSPToken.new()
    user.set_string('media.factory.role', 'user')
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), user)
    secure.set_auth(auth)
    secure.get_mount_points().add_factory('/secure', factory(file_launch(h264, 'rtph264pay', True), role='user'))

    if server.attach(None) == 0 or secure.attach(None) == 0:
        print('ERROR cannot listen', flush=True)
        sys.exit(1)
    print(f'READY rtsp://127.0.0.1:{server.get_bound_port()} rtsp://127.0.0.1:{secure.get_bound_port()}', flush=True)
    loop = GLib.MainLoop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    loop.run()


if __name__ == '__main__':
    main()
