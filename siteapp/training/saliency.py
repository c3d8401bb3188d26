"""Grad-CAM saliency and its PNG overlay.

Grad-CAM (Selvaraju et al. 2017) weights the feature maps of the model's ``cam_layer``
by the spatial mean of the class score's gradient and keeps the positive part: where the
network looked to call the class. The map is upsampled to the image and blended over the
grayscale input as a red-yellow heat map with Pillow.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from siteapp.training.config import INFERENCE, InferenceDefaults
from siteapp.training.models import ZooModel


def grad_cam(model: ZooModel, image: torch.Tensor, class_index: int) -> np.ndarray:
    """The Grad-CAM map of ``class_index`` for one ``(C, H, W)`` image (or ``(C, D, H,
    W)`` volume), as a float32 ``(H, W)`` (``(D, H, W)``) array in [0, 1] (all zeros when
    no evidence is positive)."""
    captured: dict[str, torch.Tensor] = {}

    def keep(
        _module: torch.nn.Module, _inputs: tuple[torch.Tensor, ...], output: torch.Tensor
    ) -> None:
        output.retain_grad()
        captured["maps"] = output

    was_training = model.training
    model.eval()
    handle = model.cam_layer.register_forward_hook(keep)
    try:
        with torch.enable_grad():
            x = image.unsqueeze(0).detach().requires_grad_(False)
            logits = model(x)
            model.zero_grad(set_to_none=True)
            logits[0, class_index].backward()
        maps = captured["maps"]
        assert maps.grad is not None
        positions = tuple(range(2, maps.dim()))
        weights = maps.grad.mean(dim=positions, keepdim=True)
        cam = torch.relu((weights * maps).sum(dim=1, keepdim=True))
        cam = torch.nn.functional.interpolate(
            cam, size=image.shape[1:], mode="bilinear" if len(positions) == 2 else "trilinear",
            align_corners=False,
        )
        cam_np = cam[0, 0].detach().cpu().numpy().astype(np.float32)
    finally:
        handle.remove()
        model.zero_grad(set_to_none=True)
        model.train(was_training)
    peak = float(cam_np.max())
    return cam_np / peak if peak > 0 else np.zeros_like(cam_np)


def salient_plane(cam: np.ndarray) -> int:
    """The plane of a ``(D, H, W)`` Grad-CAM map that holds the most evidence: the one a
    2D overlay of a volume shows."""
    return int(np.argmax(cam.reshape(cam.shape[0], -1).sum(axis=1)))


def _heat_colours(cam: np.ndarray) -> np.ndarray:
    """Map [0, 1] to a black-red-yellow ramp (RGB uint8)."""
    red = np.clip(cam * 2.0, 0, 1)
    green = np.clip(cam * 2.0 - 1.0, 0, 1)
    blue = np.zeros_like(cam)
    return (np.stack([red, green, blue], axis=-1) * 255).astype(np.uint8)


def write_overlay(
    image: np.ndarray, cam: np.ndarray, path: Path, settings: InferenceDefaults = INFERENCE
) -> Path:
    """Blend ``cam`` over the grayscale ``image`` (both ``(H, W)`` in [0, 1]) and save a PNG.

    The heat map's opacity follows the saliency itself, so unimportant regions show the
    plain image.
    """
    gray = (np.clip(image, 0, 1) * 255).astype(np.uint8)
    base = np.stack([gray] * 3, axis=-1).astype(np.float32)
    heat = _heat_colours(cam).astype(np.float32)
    alpha = (settings.overlay_alpha * np.clip(cam, 0, 1))[..., None]
    blended = (base * (1 - alpha) + heat * alpha).astype(np.uint8)
    picture = Image.fromarray(blended, mode="RGB").resize(
        (settings.overlay_size, settings.overlay_size), Image.Resampling.BILINEAR
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    plain = Image.fromarray(gray, mode="L").resize(
        (settings.overlay_size, settings.overlay_size), Image.Resampling.BILINEAR
    )
    for image_out, target in ((plain, plain_picture_path(path)), (picture, path)):
        tmp = target.with_name(target.name + ".tmp.png")
        image_out.save(tmp, format="PNG")
        tmp.replace(target)
    return path


def plain_picture_path(overlay: Path) -> Path:
    """The model's input picture without the heat map, beside its overlay, so a viewer can
    fade the heat map in and out."""
    return overlay.with_name(overlay.stem + ".plain.png")
