"""The model zoo: small CPU-friendly 2D classifiers, and the MONAI networks hospitals use.

The small networks normalise with GroupNorm (BatchNorm mixes samples, which breaks
per-patient clipping); the MONAI ones (ResNet-18/50, DenseNet-121, EfficientNet-B0, a 3D
ResNet-18; :mod:`siteapp.training.monai_zoo`) keep BatchNorm with fixed statistics;
``compact_cnn_3d`` and ``resnet18-3d`` take the volumes of a ``3d_volume`` task. Every
network is split into a ``backbone`` (features, frozen up to a stage for transfer
learning) and a ``head`` (the classifier), lists its backbone's ``stages`` in forward
order, and exposes ``cam_layer``, the last convolutional block that Grad-CAM explains.
Initialisation is seeded so every site builds bit-identical initial global weights from
the same ``init_seed``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from coordinator.task_definition import InputKind
from siteapp.errors import UserFacingError
from siteapp.tasks import TaskPreset
from siteapp.training.seeded_rng import seeded


class UnknownModelError(UserFacingError):
    """The model name is not in the zoo."""


def _group_norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(num_groups=min(8, channels // 4) or 1, num_channels=channels)


def _conv_block(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel_size=3, stride=stride, padding=1, bias=False),
        _group_norm(c_out),
        nn.ReLU(inplace=False),
    )


class FeatureWhitener(nn.Module):
    """A fixed affine map of the backbone's feature maps across channels:
    ``(f - shift) @ mixing`` at every position.

    A pretrained backbone's features are all positive, share a large common offset (ReLU
    outputs) and are strongly correlated (on the lung CT phantom one direction holds 79 %
    of their variance), while the classes differ along many weak directions. A linear
    head trained on them with DP-SGD is then badly conditioned: most of each noisy step
    goes into the offset and the dominant direction, the weak ones are learnt slowly, and
    the noise of every extra step accumulates meanwhile. Centring and whitening with the
    PUBLIC pretraining cohort's mean and (shrunk) covariance
    (``siteapp.training.pretrain``, stored with the backbone) removes that at no privacy
    cost. The statistics are buffers, never trained nor uploaded; without pretrained
    weights the map is the identity. Being affine it commutes with an *average* pooling,
    so it sits between backbone and head (``set_feature_statistics`` refuses a head that
    pools otherwise).
    """

    shift: torch.Tensor
    mixing: torch.Tensor

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.register_buffer("shift", torch.zeros(channels))
        self.register_buffer("mixing", torch.eye(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = (1, -1) + (1,) * (x.dim() - 2)
        centred = (x - self.shift.view(shape)).movedim(1, -1)
        # contiguous: the pooling then sums in the same order as on the backbone's output
        return (centred @ self.mixing).movedim(-1, 1).contiguous()


class ZooModel(nn.Module):
    """A backbone (feature maps, or pooled features), a fixed feature whitener, a head
    (logits), the layer Grad-CAM explains and the backbone's stages.

    ``stages`` names the backbone's submodules stage by stage, stem first (default: one
    stage per element of a ``Sequential`` backbone); ``spatial_dims`` is 2 or 3.
    """

    def __init__(
        self,
        backbone: nn.Module,
        head: nn.Sequential,
        features: int,
        *,
        stages: tuple[tuple[str, ...], ...] | None = None,
        cam_layer: str | None = None,
        spatial_dims: int = 2,
    ) -> None:
        super().__init__()
        self.backbone = backbone
        self.whiten = FeatureWhitener(features)
        self.head = head
        names = [name for name, _ in backbone.named_children()]
        self.stages = stages if stages is not None else tuple((name,) for name in names)
        self._cam_layer = cam_layer or names[-1]
        self.spatial_dims = spatial_dims

    @property
    def cam_layer(self) -> nn.Module:
        return self.backbone.get_submodule(self._cam_layer)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.whiten(self.backbone(x)))


def _head(features: int, num_classes: int) -> nn.Sequential:
    return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(features, num_classes))


def compact_cnn(channels: int, num_classes: int) -> ZooModel:
    """Four strided 3x3 conv blocks (about 60k parameters): a DP step on a laptop CPU
    takes milliseconds, which keeps a round short at a site without a GPU."""
    widths = (16, 32, 64, 64)
    layers: list[nn.Module] = []
    c_in = channels
    for width in widths:
        layers.append(_conv_block(c_in, width, stride=2))
        c_in = width
    return ZooModel(nn.Sequential(*layers), _head(c_in, num_classes), c_in)


class _BasicBlock(nn.Module):
    """ResNet basic block with GroupNorm; a 1x1 projection when the shape changes."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.norm1 = _group_norm(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.norm2 = _group_norm(c_out)
        self.relu = nn.ReLU(inplace=False)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), _group_norm(c_out)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.norm1(self.conv1(x)))
        out = self.norm2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


def resnet_small(channels: int, num_classes: int) -> ZooModel:
    """A GroupNorm ResNet (about 0.7M parameters) for sites with a GPU workstation."""
    stem = nn.Sequential(
        nn.Conv2d(channels, 32, 3, stride=2, padding=1, bias=False), _group_norm(32), nn.ReLU()
    )
    stages = [
        _BasicBlock(32, 32, 1),
        _BasicBlock(32, 64, 2),
        _BasicBlock(64, 64, 1),
        _BasicBlock(64, 128, 2),
        _BasicBlock(128, 128, 1),
    ]
    return ZooModel(nn.Sequential(stem, *stages), _head(128, num_classes), 128)


def compact_cnn_3d(channels: int, num_classes: int) -> ZooModel:
    """``compact_cnn`` in 3D (four strided 3x3x3 conv blocks with GroupNorm, about 0.1M
    parameters): the CPU-friendly network for a ``3d_volume`` task; the zoo's 3D
    ResNet-18 (``resnet18-3d``) is the one for a workstation GPU."""
    widths = (8, 16, 32, 32)
    layers: list[nn.Module] = []
    c_in = channels
    for width in widths:
        layers.append(nn.Sequential(
            nn.Conv3d(c_in, width, kernel_size=3, stride=2, padding=1, bias=False),
            _group_norm(width),
            nn.ReLU(inplace=False),
        ))
        c_in = width
    head = nn.Sequential(nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(c_in, num_classes))
    return ZooModel(nn.Sequential(*layers), head, c_in, spatial_dims=3)


def lesion_cnn(channels: int, num_classes: int) -> ZooModel:
    """Three 3x3 conv blocks (no normalisation, max-pool between) and a global MAX-pool
    head, about 14k parameters. A small focal finding (a nodule, a mass) lights up a few
    pixels: a max keeps that evidence where an average over the image dilutes it, so this
    learns the phantom tasks in a few epochs where ``compact_cnn`` needs many. Without
    normalisation layers every sample's gradient is its own (DP-safe)."""
    widths = (16, 32, 32)
    blocks: list[nn.Module] = []
    c_in = channels
    for index, width in enumerate(widths):
        layers: list[nn.Module] = [nn.Conv2d(c_in, width, 3, padding=1), nn.ReLU()]
        if index < len(widths) - 1:
            layers.append(nn.MaxPool2d(2))
        blocks.append(nn.Sequential(*layers))
        c_in = width
    head = nn.Sequential(nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(c_in, num_classes))
    return ZooModel(nn.Sequential(*blocks), head, c_in)


def monai_network(name: str) -> Callable[[int, int], ZooModel]:
    """The builder of MONAI network ``name`` (:data:`siteapp.training.monai_zoo.MONAI_BACKBONES`)
    with a linear head on its pooled features."""

    def build(channels: int, num_classes: int) -> ZooModel:
        from siteapp.training.monai_zoo import dp_ready_backbone

        backbone = dp_ready_backbone(name, channels)
        head = nn.Sequential(nn.Linear(backbone.features, num_classes))
        return ZooModel(
            backbone.network, head, backbone.features, stages=backbone.stages,
            cam_layer=backbone.cam_layer, spatial_dims=backbone.spatial_dims,
        )

    return build


class SegmentationModel(ZooModel):
    """A network whose output is per-pixel logits ``(N, classes, H, W)``: the backbone
    is the whole network, the head empty. The whitener stays the identity (there are no
    public statistics of per-pixel logits) and is skipped."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.backbone(x)
        return logits


def unet_small(channels: int, num_classes: int) -> ZooModel:
    """MONAI's BasicUNet with DP-compatible layers (:func:`siteapp.training.monai_zoo.monai_basic_unet`)."""
    from siteapp.training.monai_zoo import monai_basic_unet

    unet = monai_basic_unet(2, channels, num_classes)
    return SegmentationModel(
        unet.network, nn.Sequential(), unet.features, stages=unet.stages,
        cam_layer=unet.cam_layer, spatial_dims=unet.spatial_dims,
    )


# MONAI's networks by the names a plan uses; the small ones stay the CPU default.
MONAI_NETWORKS = ("resnet18", "resnet50", "densenet121", "efficientnet-b0", "resnet18-3d")
MODEL_BUILDERS: dict[str, Callable[[int, int], ZooModel]] = {
    "compact_cnn": compact_cnn,
    "resnet_small": resnet_small,
    "lesion_cnn": lesion_cnn,
    "compact_cnn_3d": compact_cnn_3d,
    **{name: monai_network(name) for name in MONAI_NETWORKS},
    "unet_small": unet_small,
}
#: Networks that label every pixel (segmentation tasks train these and nothing else).
SEGMENTATION_NETWORKS = frozenset({"unet_small"})


#: The zoo's 3D networks, for ``3d_volume`` tasks (every other network is 2D).
VOLUME_MODELS = ("compact_cnn_3d", "resnet18-3d")


def available_models(task: TaskPreset | None = None) -> list[str]:
    """The zoo's networks for ``task``'s kind (classification when no task is given)."""
    segmentation = task is not None and task.is_segmentation
    return sorted(name for name in MODEL_BUILDERS if (name in SEGMENTATION_NETWORKS) == segmentation)


def build_model(name: str, task: TaskPreset, init_seed: int = 0) -> ZooModel:
    """Build zoo model ``name`` for ``task`` with weights drawn from ``init_seed``.

    The global RNG state of the caller is left untouched, and the same name, task and seed
    give the same weights on every machine (CPU initialisation is deterministic).
    """
    try:
        builder = MODEL_BUILDERS[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown model '{name}'; choose one of {', '.join(available_models(task))}"
        ) from None
    if (name in SEGMENTATION_NETWORKS) != task.is_segmentation:
        kind = "a segmentation" if task.is_segmentation else "a classification"
        raise UnknownModelError(
            f"model '{name}' does not fit task '{task.name}', which needs {kind} network "
            f"(segmentation: {', '.join(sorted(SEGMENTATION_NETWORKS))})"
        )
    with seeded(init_seed):
        model = builder(task.channels, task.num_classes)
    wanted = 3 if task.input.kind is InputKind.VOLUME_3D else 2
    if model.spatial_dims != wanted:
        fitting = [n for n in available_models() if n in VOLUME_MODELS] if wanted == 3 else [
            n for n in available_models() if n not in VOLUME_MODELS
        ]
        raise UnknownModelError(
            f"model '{name}' takes {model.spatial_dims}D input, but task {task.name} learns from "
            f"{task.input.kind.value.replace('_', ' ')}s; choose one of {', '.join(fitting)}"
        )
    return model


def freeze_backbone(model: ZooModel) -> None:
    """Train only the head: backbone parameters stop requiring gradients, so they are
    neither noised nor part of the update a site uploads."""
    for param in model.backbone.parameters():
        param.requires_grad_(False)


class StageError(UserFacingError):
    """A plan freezes more stages than the network has."""


def freeze_stages(model: ZooModel, frozen_stages: int) -> None:
    """Freeze the backbone's stages ``0 .. frozen_stages - 1`` (stem first); later stages
    and the head train under DP. ``len(model.stages)`` freezes the whole backbone, 0
    nothing. Frozen parameters are neither noised nor uploaded, and their values are
    part of the frozen digest a plan pins."""
    if not 0 <= frozen_stages <= len(model.stages):
        raise StageError(
            f"the plan freezes {frozen_stages} stages but this network has "
            f"{len(model.stages)} (0 trains everything, {len(model.stages)} only the head)"
        )
    for stage in model.stages[:frozen_stages]:
        for name in stage:
            for param in model.backbone.get_submodule(name).parameters():
                param.requires_grad_(False)
