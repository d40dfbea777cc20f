"""What course content reads into: plain data, checked, ready to load into the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MIN_LESSON_CHARS = 600
LESSON_HOURS = (0.5, 6.0)
RUBRIC_TOTAL = 100


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Catalog:
    levels: dict[int, str] = field(default_factory=dict)
    work_areas: dict[str, str] = field(default_factory=dict)
    #: The work areas assessed by practical tasks (``kind: skill``).
    skill_areas: list[str] = field(default_factory=list)
    care_domains: dict[str, str] = field(default_factory=dict)
    difficulties: dict[str, str] = field(default_factory=dict)


@dataclass
class ModuleSpec:
    key: str
    title: str
    work_area: str
    position: int


@dataclass
class LessonSpec:
    key: str
    title: str
    module: str
    hours: float
    care_domains: list[str]
    body: str
    position: int
    path: str
    #: Media the lesson shows, by the path it writes (``media/x.svg``) → the file and its kind
    #: (image, video, captions, poster); checked to exist and to be acceptable when read.
    media: dict[str, tuple[Path, str]] = field(default_factory=dict)
    #: The front matter's ``video:`` (src, captions, poster paths; title), or None.
    video: dict[str, str] | None = None


@dataclass
class QuestionSpec:
    key: str
    type: str
    level: int
    work_area: str
    difficulty: str
    stem: str
    options: dict[str, str]
    answer: Any
    explanation: str
    path: str
    line: int
    #: Lines of the type and answer, for the question types' own checks.
    type_line: int = 0
    answer_line: int = 0
    #: The item as written, for the question types' own checks.
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class CriterionSpec:
    key: str
    text: str
    points: int
    #: Minutes the step takes in the assessment (criteria only).
    minutes: float = 0
    #: The candidate describes the step, and does not wait for it (e.g. a disinfectant's
    #: contact time); ``real_minutes`` is how long it takes in reality.
    describe_only: bool = False
    real_minutes: float = 0


@dataclass
class TaskSpec:
    code: str
    title: str
    levels: list[int]
    work_area: str
    duration_minutes: int
    scenario: str
    materials: list[str]
    criteria: list[CriterionSpec]
    critical_errors: list[CriterionSpec]
    path: str

    @property
    def home_level(self) -> int:
        """The most elementary level the task assesses (level digits count down: 5 is the
        first); the course folder it lives in. A level-3 candidate's "own level" task is one
        whose home level is 3."""
        return max(self.levels)

    @property
    def step_minutes(self) -> float:
        return sum(criterion.minutes for criterion in self.criteria)


@dataclass
class SkillPlanSpec:
    """A level's skill assessment plan (技能考核方案): how a candidate's tasks are drawn."""

    level: int
    #: Work area -> share of a candidate's tasks, in percent (adding up to 100).
    weights: dict[str, int]
    #: At least this many of a candidate's tasks are of the candidate's own level.
    own_level: int
    path: str
    line: int


@dataclass
class PracticeSpec:
    """A lesson's self-check questions (``practice/<lesson-file-stem>.yaml``): a pool of its
    own, never part of the exam bank."""

    lesson: str
    questions: list[QuestionSpec]
    path: str


@dataclass
class CourseSpec:
    code: str
    title: str
    level: int
    description: str
    min_hours: float
    require_all_lessons: bool
    modules: list[ModuleSpec] = field(default_factory=list)
    lessons: list[LessonSpec] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)
    tasks: list[TaskSpec] = field(default_factory=list)
    practice: list[PracticeSpec] = field(default_factory=list)

    @property
    def total_hours(self) -> float:
        return sum(lesson.hours for lesson in self.lessons)


@dataclass
class BlueprintCellSpec:
    question_type: str
    work_area: str | None
    difficulty: str | None
    count: int
    points: float
    line: int = 0


@dataclass
class BlueprintSpec:
    key: str
    title: str
    level: int
    duration_minutes: int
    pass_score: float
    multiple_choice_rule: str
    cells: list[BlueprintCellSpec]
    path: str
    line: int


@dataclass
class Content:
    #: The folder the content was read from (None when built in memory).
    root: Path | None = None
    catalog: Catalog = field(default_factory=Catalog)
    courses: list[CourseSpec] = field(default_factory=list)
    blueprints: list[BlueprintSpec] = field(default_factory=list)
    skill_plans: list[SkillPlanSpec] = field(default_factory=list)

    @property
    def questions(self) -> list[QuestionSpec]:
        return [question for course in self.courses for question in course.questions]
