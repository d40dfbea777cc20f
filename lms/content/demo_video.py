"""The shipped demonstration video, drawn by ffmpeg at build time (no binary in the repository):
七步洗手法, one step after another with its name, what the hands do and a countdown, 640×360
H.264 with a silent AAC track, its Chinese WebVTT captions and a poster frame.

``lms courses media build`` writes them into ``courses/baoyushi-l5/media/``; ``make run`` and
the test fixtures call it. A stamp of what was drawn lets a second call return at once."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path

from lms.content.video import tool

COURSE = "baoyushi-l5"
NAME = "hand-washing"
SIZE = (640, 360)
INTRO, STEP, OUTRO = 5, 6, 6
TITLE = "七步洗手法"
#: (key word, what the hands do) for each step, as the national hand-hygiene guidance teaches.
STEPS = [
    ("内", "掌心相对，手指并拢，相互揉搓"),
    ("外", "手心对手背，沿指缝相互揉搓，两手交换"),
    ("夹", "掌心相对，双手交叉，沿指缝相互揉搓"),
    ("弓", "弯曲手指关节，在另一手掌心旋转揉搓"),
    ("大", "一手握住另一手大拇指，旋转揉搓"),
    ("立", "五指指尖并拢，在另一手掌心旋转揉搓"),
    ("腕", "一手握住另一手手腕，旋转揉搓"),
]
INTRO_TEXT = ("流动水打湿双手", "取适量洗手液，均匀涂满双手")
OUTRO_TEXT = ("流动水冲净双手", "用一次性纸巾或清洁毛巾擦干")
VERSION = "1"


def duration() -> int:
    return INTRO + STEP * len(STEPS) + OUTRO


def _font(bold: bool = False) -> str:
    done = subprocess.run(  # noqa: S603
        [tool("fc-match"), "-f", "%{file}", f"Noto Sans CJK SC{':bold' if bold else ''}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _text(text: str, font: str, size: int, y: str, start: float, end: float, colour: str) -> str:
    return (
        f"drawtext=fontfile='{font}':text='{text}':fontsize={size}:fontcolor={colour}"
        f":x=(w-text_w)/2:y={y}:enable='between(t,{start},{end})'"
    )


def _filters() -> str:
    regular, bold = _font(), _font(bold=True)
    width = SIZE[0]
    parts = [
        f"drawbox=x=0:y=0:w={width}:h=56:color=0x0b5d4b@1:t=fill",
        _text(TITLE + " · 保育师五级示范", bold, 26, "14", 0, duration(), "white"),
        _text(INTRO_TEXT[0], bold, 34, "130", 0, INTRO, "white"),
        _text(INTRO_TEXT[1], regular, 24, "190", 0, INTRO, "0xe8f5e9"),
    ]
    for number, (word, action) in enumerate(STEPS, start=1):
        start = INTRO + (number - 1) * STEP
        end = start + STEP
        # A bar that fills while the step runs, and a circle of "hands" moving round.
        parts.append(
            f"drawbox=x=80:y=300:w='{width - 160}*min(1,(t-{start})/{STEP})':h=14"
            f":color=0xffd54f@1:t=fill:enable='between(t,{start},{end})'"
        )
        parts.append(
            f"drawbox=x='{width // 2 - 20}+70*cos(6.283*(t-{start})/2)'"
            f":y='228+18*sin(6.283*(t-{start})/2)':w=40:h=40:color=0xffffff@0.85:t=fill"
            f":enable='between(t,{start},{end})'"
        )
        parts.append(_text(f"第{number}步 · {word}", bold, 44, "72", start, end, "0xffd54f"))
        parts.append(_text(action, regular, 26, "150", start, end, "white"))
        parts.append(
            f"drawtext=fontfile='{regular}':text='%{{eif\\:{end}-t\\:d}} 秒'"
            f":fontsize=22:fontcolor=0xe8f5e9:x=w-tw-24:y=h-44"
            f":enable='between(t,{start},{end})'"
        )
    last = INTRO + STEP * len(STEPS)
    parts.append(_text(OUTRO_TEXT[0], bold, 34, "130", last, duration(), "white"))
    parts.append(_text(OUTRO_TEXT[1], regular, 24, "190", last, duration(), "0xe8f5e9"))
    parts.append(_text("揉搓双手至少15秒", regular, 22, "250", last, duration(), "0xffd54f"))
    return ",\n".join(parts)


def _stamp(at: float) -> str:
    minutes, seconds = divmod(at, 60)
    return f"00:{int(minutes):02d}:{seconds:06.3f}"


def captions() -> str:
    """The WebVTT captions: one cue per step, in Chinese."""
    cues = [(0, INTRO, f"{TITLE}：{INTRO_TEXT[0]}，{INTRO_TEXT[1]}。")]
    for number, (word, action) in enumerate(STEPS, start=1):
        start = INTRO + (number - 1) * STEP
        cues.append((start, start + STEP, f"第{number}步“{word}”：{action}。"))
    last = INTRO + STEP * len(STEPS)
    cues.append((last, duration(), f"{OUTRO_TEXT[0]}，{OUTRO_TEXT[1]}。揉搓双手至少15秒。"))
    lines = ["WEBVTT", ""]
    for number, (start, end, text) in enumerate(cues, start=1):
        lines += [str(number), f"{_stamp(start)} --> {_stamp(end)}", text, ""]
    return "\n".join(lines)


def paths(courses_root: Path) -> dict[str, Path]:
    folder = courses_root / COURSE / "media"
    return {
        "video": folder / f"{NAME}.mp4",
        "captions": folder / f"{NAME}.vtt",
        "poster": folder / f"{NAME}.jpg",
    }


def build(courses_root: Path, force: bool = False) -> dict[str, Path]:
    """Draw the video, its captions and poster into the course's media folder (once)."""
    targets = paths(courses_root)
    filters = _filters()
    digest = hashlib.sha256(f"{VERSION}\n{filters}\n{captions()}".encode()).hexdigest()[:16]
    stamp = targets["video"].with_suffix(".stamp")
    if (
        not force
        and all(path.exists() for path in targets.values())
        and stamp.exists()
        and stamp.read_text() == digest
    ):
        return targets
    targets["video"].parent.mkdir(parents=True, exist_ok=True)
    width, height = SIZE
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "filters.txt"
        script.write_text(filters, encoding="utf-8")
        partial = Path(folder) / "video.mp4"
        subprocess.run(  # noqa: S603
            [
                tool("ffmpeg"),
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"color=c=0x1d6f5f:s={width}x{height}:r=25:d={duration()}",
                "-f",
                "lavfi",
                "-i",
                "anullsrc=r=44100:cl=mono",
                "-filter_script:v",
                str(script),
                "-shortest",
                "-c:v",
                "libx264",
                "-profile:v",
                "high",
                "-pix_fmt",
                "yuv420p",
                "-preset",
                "veryfast",
                "-crf",
                "26",
                "-c:a",
                "aac",
                "-b:a",
                "32k",
                "-movflags",
                "+faststart",
                str(partial),
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(  # noqa: S603
            [
                tool("ffmpeg"),
                "-v",
                "error",
                "-y",
                "-ss",
                "8",
                "-i",
                str(partial),
                "-frames:v",
                "1",
                "-q:v",
                "4",
                str(targets["poster"]),
            ],
            check=True,
            capture_output=True,
        )
        partial.replace(targets["video"])
    targets["captions"].write_text(captions(), encoding="utf-8")
    stamp.write_text(digest)
    return targets
