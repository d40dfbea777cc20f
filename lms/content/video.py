"""Videos through ffprobe and ffmpeg (Debian package ``ffmpeg``): what a file really is, whether
phones can play it, its poster frame and its lighter rendition for slow connections."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

#: H.264 profiles every phone decodes in hardware.
PHONE_PROFILES = {"Baseline", "Constrained Baseline", "Main", "High"}
PHONE_PIXEL_FORMATS = {"yuv420p", "yuvj420p"}
#: The rendition for slow connections: 240 pixels high at most (a 360-px-wide phone shows a
#: 16:9 video about 200 CSS pixels high), never above 200 kbit/s video
#: (constant quality below that: a video already lighter stays light).
LOW_HEIGHT = 240
LOW_VIDEO_BITRATE = "200k"
LOW_AUDIO_BITRATE = "32k"


def tool(name: str) -> str:
    """The full path of a program (ffmpeg, ffprobe), as found on PATH."""
    return shutil.which(name) or name


class VideoRefused(ValueError):
    """The file is not a video phones can play; ``args[0]`` is the reason in the UI language."""


@dataclass(frozen=True)
class VideoInfo:
    duration: float
    width: int
    height: int
    bitrate: int
    codec: str
    has_audio: bool


def _run(arguments: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(arguments, capture_output=True, timeout=timeout, check=False)  # noqa: S603


def probe(path: Path, name: str) -> VideoInfo:
    """What ffprobe reads in the file; VideoRefused when it is no MP4/H.264 video a phone plays."""
    done = _run(
        [tool("ffprobe"), "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         str(path)],
        timeout=60,
    )  # fmt: skip
    try:
        data = json.loads(done.stdout or b"{}")
    except ValueError:
        data = {}
    streams = data.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    container = (data.get("format") or {}).get("format_name", "")
    if done.returncode != 0 or video is None or "mp4" not in container:
        raise VideoRefused(_l("%(f)s is not an MP4 video", f=name))
    codec = video.get("codec_name", "")
    if codec != "h264":
        raise VideoRefused(
            _l(
                "%(f)s is encoded as %(c)s, which many phones cannot play; "
                "encode it as H.264 (MP4)",
                f=name,
                c=codec or "?",
            )
        )
    if video.get("profile") not in PHONE_PROFILES or video.get("pix_fmt") not in (
        PHONE_PIXEL_FORMATS
    ):
        raise VideoRefused(
            _l(
                "%(f)s uses H.264 %(p)s with %(x)s pixels, which many phones cannot play; "
                "encode it with the High profile and yuv420p",
                f=name,
                p=video.get("profile", "?"),
                x=video.get("pix_fmt", "?"),
            )
        )
    duration = float((data.get("format") or {}).get("duration") or video.get("duration") or 0)
    if duration <= 0:
        raise VideoRefused(_l("%(f)s has no playing time", f=name))
    return VideoInfo(
        duration=round(duration, 3),
        width=int(video.get("width") or 0),
        height=int(video.get("height") or 0),
        bitrate=int((data.get("format") or {}).get("bit_rate") or 0),
        codec=codec,
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
    )


def probe_bytes(data: bytes, name: str) -> VideoInfo:
    with tempfile.NamedTemporaryFile(suffix=".mp4") as handle:
        handle.write(data)
        handle.flush()
        return probe(Path(handle.name), name)


def poster(data: bytes, at: float) -> bytes:
    """A JPEG of the frame at ``at`` seconds."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.mp4", Path(folder) / "poster.jpg"
        source.write_bytes(data)
        done = _run(
            [tool("ffmpeg"), "-v", "error", "-ss", f"{at:.2f}", "-i", str(source), "-frames:v", "1",
             "-q:v", "4", "-y", str(target)],
            timeout=120,
        )  # fmt: skip
        if done.returncode != 0 or not target.exists():
            raise VideoRefused(_l("no picture could be taken from the video"))
        return target.read_bytes()


def low_rendition(data: bytes) -> bytes:
    """The video again at most 240 pixels high and 200 kbit/s, for slow connections and the
    data-saver choice; the moov atom first, so playback starts before the file has arrived."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.mp4", Path(folder) / "low.mp4"
        source.write_bytes(data)
        done = _run(
            [tool("ffmpeg"), "-v", "error", "-i", str(source),
             "-vf", f"scale=-2:'min({LOW_HEIGHT},ih)'", "-c:v", "libx264", "-profile:v", "main",
             "-pix_fmt", "yuv420p", "-preset", "veryfast", "-crf", "30",
             "-maxrate", LOW_VIDEO_BITRATE, "-bufsize", "400k", "-c:a", "aac", "-ac", "1",
             "-b:a", LOW_AUDIO_BITRATE, "-movflags", "+faststart", "-y", str(target)],
            timeout=1800,
        )  # fmt: skip
        if done.returncode != 0 or not target.exists():
            raise RuntimeError(done.stderr.decode("utf-8", "replace")[-500:])
        return target.read_bytes()
