"""Demo holder photos: a synthetic 1-inch portrait (a light background and a drawn head and
shoulders, no real person) for every demo skill candidate and the demo trainee, so that the
certificates a new user issues carry a photo. Deterministic: the colours follow the person's id."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw
from sqlalchemy import select

from lms.accounts.models import User
from lms.certification import photos
from lms.certification.models import HolderPhoto
from lms.core.roles import Role
from lms.db import db
from lms.grading.models import SkillCandidate

SKIN = [(241, 204, 178), (226, 186, 152), (205, 160, 125), (236, 196, 166)]
HAIR = [(30, 25, 22), (52, 40, 32), (20, 20, 24), (70, 52, 40)]
JACKET = [(40, 60, 110), (90, 40, 50), (50, 80, 70), (70, 70, 80), (30, 30, 40)]


def portrait(seed: int) -> bytes:
    """A 590 × 826 PNG portrait on a near-white background (passes photos.normalise)."""
    rng = random.Random(seed)
    width, height = 590, 826
    image = Image.new("RGB", (width, height), (248, 249, 250))
    draw = ImageDraw.Draw(image)
    jacket, skin, hair = rng.choice(JACKET), rng.choice(SKIN), rng.choice(HAIR)
    # Shoulders, neck, head, hair: a plain silhouette, centred, as a 1-inch photo frames it.
    draw.rounded_rectangle((60, 600, 530, 900), radius=150, fill=jacket)
    draw.rectangle((250, 500, 340, 640), fill=skin)
    head = (175 + rng.randint(-8, 8), 170, 415 + rng.randint(-8, 8), 540)
    draw.ellipse((head[0] - 12, head[1] - 30, head[2] + 12, head[3] - 140), fill=hair)
    draw.ellipse(head, fill=skin)
    eyes_y = 330 + rng.randint(-6, 6)
    for x in (245, 345):
        draw.ellipse((x - 12, eyes_y - 7, x + 12, eyes_y + 7), fill=(40, 35, 35))
    draw.arc((250, 400, 340, 460), 20, 160, fill=(150, 80, 80), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def seed_photos() -> int:
    """Photos for demo people without one: skill candidates and trainee accounts' staff."""
    wanted = set(db.session.scalars(select(SkillCandidate.staff_id)))
    wanted |= set(
        db.session.scalars(
            select(User.staff_id).where(User.role == Role.TRAINEE, User.staff_id.is_not(None))
        )
    )
    have = set(db.session.scalars(select(HolderPhoto.staff_id)))
    added = 0
    for staff_id in sorted(wanted - have - {None}):
        photos.store(staff_id, portrait(staff_id), via="demo")
        added += 1
    return added
