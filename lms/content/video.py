"""Videos through ffprobe and ffmpeg (Debian package ``ffmpeg``): what a file really is, whether
phones can play it (if not, its MP4/H.264 copy), its poster frame and its lighter rendition for
slow connections."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    #: The content type of its container (``video/mp4`` for MP4 and MOV, ``video/webm``).
    container: str = "video/mp4"
    #: Why phones cannot play it as it is ('' when they can): it is transcoded then.
    reason: str = ""


def _run(arguments: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(arguments, capture_output=True, timeout=timeout, check=False)  # noqa: S603


#: Containers a video upload may come in (ffprobe's format names): MP4 and MOV, WebM.
CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "video/mp4", "matroska,webm": "video/webm"}
#: Audio a phone plays inside an MP4.
PHONE_AUDIO = {"aac", "mp3"}


def _probe_data(path: Path) -> dict[str, Any]:
    done = _run(
        [tool("ffprobe"), "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         str(path)],
        timeout=60,
    )  # fmt: skip
    try:
        data = json.loads(done.stdout or b"{}")
    except ValueError:
        data = {}
    return data if done.returncode == 0 and isinstance(data, dict) else {}


def inspect(path: Path, name: str) -> VideoInfo:
    """What ffprobe reads in the file, whether or not phones play it as it is (``playable``;
    ``reason`` says why not); VideoRefused when it is no video ffmpeg can read."""
    data = _probe_data(path)
    streams = data.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    fmt = data.get("format") or {}
    container = fmt.get("format_name", "")
    if video is None or container not in CONTAINERS:
        raise VideoRefused(_l("%(f)s is not a video that can be read (MP4, WebM or MOV)", f=name))
    duration = float(fmt.get("duration") or video.get("duration") or 0)
    if duration <= 0:
        raise VideoRefused(_l("%(f)s has no playing time", f=name))
    codec = video.get("codec_name", "")
    audio = [s.get("codec_name", "") for s in streams if s.get("codec_type") == "audio"]
    brand = str((fmt.get("tags") or {}).get("major_brand", "")).strip()
    reason = ""
    if CONTAINERS[container] != "video/mp4" or brand == "qt":
        reason = str(_l("%(f)s is not an MP4 video", f=name))
    elif codec != "h264":
        reason = str(
            _l(
                "%(f)s is encoded as %(c)s, which many phones cannot play; "
                "encode it as H.264 (MP4)",
                f=name,
                c=codec or "?",
            )
        )
    elif video.get("profile") not in PHONE_PROFILES or video.get("pix_fmt") not in (
        PHONE_PIXEL_FORMATS
    ):
        reason = str(
            _l(
                "%(f)s uses H.264 %(p)s with %(x)s pixels, which many phones cannot play; "
                "encode it with the High profile and yuv420p",
                f=name,
                p=video.get("profile", "?"),
                x=video.get("pix_fmt", "?"),
            )
        )
    elif any(a not in PHONE_AUDIO for a in audio):
        reason = str(_l("%(f)s has sound phones cannot play", f=name))
    return VideoInfo(
        duration=round(duration, 3),
        width=int(video.get("width") or 0),
        height=int(video.get("height") or 0),
        bitrate=int(fmt.get("bit_rate") or 0),
        codec=codec,
        has_audio=bool(audio),
        container=CONTAINERS[container],
        reason=reason,
    )


def probe(path: Path, name: str) -> VideoInfo:
    """What ffprobe reads in the file; VideoRefused when it is no MP4/H.264 video a phone plays."""
    info = inspect(path, name)
    if info.reason:
        raise VideoRefused(info.reason)
    return info


def inspect_bytes(data: bytes, name: str) -> VideoInfo:
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix or ".video") as handle:
        handle.write(data)
        handle.flush()
        return inspect(Path(handle.name), name)


def playable(data: bytes) -> bytes:
    """The video again as MP4/H.264 (High, yuv420p) with AAC sound, which every phone plays;
    the moov atom first. Even dimensions (H.264 needs them); at most 1080 pixels high."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in", Path(folder) / "playable.mp4"
        source.write_bytes(data)
        done = _run(
            [tool("ffmpeg"), "-v", "error", "-i", str(source), "-map", "0:v:0", "-map", "0:a:0?",
             "-vf", "scale=-2:'min(1080,trunc(ih/2)*2)'", "-c:v", "libx264", "-profile:v", "high",
             "-pix_fmt", "yuv420p", "-preset", "veryfast", "-crf", "23", "-c:a", "aac",
             "-b:a", "128k", "-movflags", "+faststart", "-y", str(target)],
            timeout=3600,
        )  # fmt: skip
        if done.returncode != 0 or not target.exists():
            raise RuntimeError(done.stderr.decode("utf-8", "replace")[-500:])
        return target.read_bytes()


def probe_bytes(data: bytes, name: str) -> VideoInfo:
    with tempfile.NamedTemporaryFile(suffix=".mp4") as handle:
        handle.write(data)
        handle.flush()
        return probe(Path(handle.name), name)


def poster(data: bytes, at: float) -> bytes:
    """A JPEG of the frame at ``at`` seconds."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in", Path(folder) / "poster.jpg"
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
        source, target = Path(folder) / "in", Path(folder) / "low.mp4"
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
