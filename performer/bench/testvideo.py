"""Videos made from real footage for tests and the camera bench: Debian's opencv-doc ships photos of a hand and a
clip of people walking. Written with OpenCV, so they are read back through cv2.VideoCapture like a camera."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

DOC = Path("/usr/share/doc/opencv-doc")
HAND_PHOTOS = (DOC / "opencv4/html/handSrc.jpg", DOC / "opencv4/html/handDst.jpg")
PEOPLE = DOC / "examples/data/vtest.avi"


def write_video(frames: list[np.ndarray], path: Path, fps: float) -> Path:
    """Frames (BGR, one size) to an MJPG .avi."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (w, h))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def read_video(path: Path, limit: int | None = None) -> list[np.ndarray]:
    """Every frame of a video (or the first ``limit``), through cv2.VideoCapture."""
    capture = cv2.VideoCapture(str(path))
    frames: list[np.ndarray] = []
    while limit is None or len(frames) < limit:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


def moving_hand(photo: Path, frames: int = 120, travel: float = 200.0, scale: float = 0.5) -> tuple[list, np.ndarray]:
    """The photo at ``scale`` (the photos fill their frame), shifted from travel/2 px left of centre to travel/2
    right and back once, rocking by 5 degrees; the frames (the photo's size) and each frame's shift."""
    image = cv2.imread(str(photo))
    if image is None:
        raise FileNotFoundError(photo)
    h, w = image.shape[:2]
    shifts = travel * (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frames) / frames)) - travel / 2
    out = []
    for i, dx in enumerate(shifts):
        warp = cv2.getRotationMatrix2D((w / 2, h / 2), 5 * np.sin(2 * np.pi * i / 60), scale)
        warp[0, 2] += dx
        out.append(cv2.warpAffine(image, warp, (w, h), borderMode=cv2.BORDER_REPLICATE))
    return out, shifts


def two_hands(frames: int = 120) -> list[np.ndarray]:
    """Both photos side by side at 640x480, the second mirrored so that it reads as the other hand, each moving
    as in ``moving_hand`` (less far, so that they stay in their halves)."""
    left, _ = moving_hand(HAND_PHOTOS[0], frames=frames, travel=80.0, scale=0.8)
    right, _ = moving_hand(HAND_PHOTOS[1], frames=frames, travel=80.0, scale=0.8)
    out = []
    for a, b in zip(left, right):
        pair = np.hstack([cv2.resize(a, (320, 240)), cv2.flip(cv2.resize(b, (320, 240)), 1)])
        out.append(cv2.copyMakeBorder(pair, 120, 120, 0, 0, cv2.BORDER_REPLICATE))
    return out
