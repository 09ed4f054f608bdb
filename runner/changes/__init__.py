"""What a task changed in the project: git's view of a work tree, or a scan elsewhere (DESIGN §8)."""

from __future__ import annotations

from runner.changes.detector import ChangeDetector, close_detectors, detector_for
from runner.changes.state import ChangeSet, Method, ProjectState

__all__ = ["ChangeDetector", "ChangeSet", "Method", "ProjectState", "close_detectors", "detector_for"]
