"""The networks hospitals use, from MONAI, made trainable with per-patient DP.

Each is MONAI's own class built with MONAI's constructor arguments, then adjusted in
three ways, none of which copies MONAI code:

- **No batch statistics**: every BatchNorm keeps its running statistics fixed
  (:mod:`siteapp.training.fixed_batch_norm`), so pretrained weights keep their meaning
  and each patient's output depends on that patient only. GroupNorm replacement would
  discard the statistics of an ImageNet or MedicalNet checkpoint.
- **No in-place operations**: activations are built with ``inplace=False`` through
  MONAI's ``act`` argument, EfficientNet's swish is the plain one (``set_swish``), and
  ResNet blocks come from :class:`OutOfPlaceResNetBlock` /
  :class:`OutOfPlaceResNetBottleneck`, subclasses whose ``forward`` adds the residual
  out of place (MONAI's ``out += residual`` modifies a tensor Opacus' hooks watch).
- **Backbone and head**: the MONAI network stops at its pooled features (``fc``
  removed), and :class:`siteapp.training.models.ZooModel` adds the whitener (identity
  unless public statistics are loaded) and a linear head drawn from the seed.

Every network lists its **stages** in forward order (the stem first); a plan freezes
stages ``0 .. k-1`` and trains the rest and the head under DP
(:func:`siteapp.training.models.freeze_stages`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from monai.networks.nets import BasicUNet, DenseNet121, EfficientNetBN
from monai.networks.nets.resnet import ResNet, ResNetBlock, ResNetBottleneck
from torch import nn

from siteapp.training.fixed_batch_norm import fix_batch_norm_statistics

# ReLU without in-place writes, in MONAI's (name, arguments) form.
OUT_OF_PLACE_RELU = ("relu", {"inplace": False})
# torchvision's ResNet geometry (7x7 stem of stride 2, projection shortcuts without bias),
# so its ImageNet checkpoints map one to one (siteapp.training.pretrained_weights).
RESNET_LAYERS: dict[str, tuple[type[ResNetBlock | ResNetBottleneck], tuple[int, ...]]] = {
    "resnet18": (ResNetBlock, (2, 2, 2, 2)),
    "resnet50": (ResNetBottleneck, (3, 4, 6, 3)),
}
RESNET_WIDTHS = (64, 128, 256, 512)


class OutOfPlaceResNetBlock(ResNetBlock):
    """MONAI's basic block; the residual is added out of place."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv2(self.act(self.bn1(self.conv1(x)))))
        residual = x if self.downsample is None else self.downsample(x)
        result: torch.Tensor = self.act(out + residual)
        return result


class OutOfPlaceResNetBottleneck(ResNetBottleneck):
    """MONAI's bottleneck block; the residual is added out of place."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.act(self.bn1(self.conv1(x)))
        out = self.act(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        residual = x if self.downsample is None else self.downsample(x)
        result: torch.Tensor = self.act(out + residual)
        return result


_OUT_OF_PLACE_BLOCKS: dict[type[nn.Module], type[ResNetBlock | ResNetBottleneck]] = {
    ResNetBlock: OutOfPlaceResNetBlock,
    ResNetBottleneck: OutOfPlaceResNetBottleneck,
}


@dataclass(frozen=True)
class MonaiBackbone:
    """A MONAI network cut at its pooled features, with what the zoo needs to know."""

    network: nn.Module
    features: int
    stages: tuple[tuple[str, ...], ...]
    cam_layer: str
    spatial_dims: int


def monai_resnet(depth_name: str, spatial_dims: int, channels: int) -> MonaiBackbone:
    block, layers = RESNET_LAYERS[depth_name]
    network = ResNet(
        block=_OUT_OF_PLACE_BLOCKS[block],
        layers=list(layers),
        block_inplanes=list(RESNET_WIDTHS),
        spatial_dims=spatial_dims,
        n_input_channels=channels,
        conv1_t_size=7,
        conv1_t_stride=2,
        shortcut_type="B",
        feed_forward=False,
        bias_downsample=False,
        act=OUT_OF_PLACE_RELU,
        norm="batch",
    )
    stages = (("conv1", "bn1"), ("layer1",), ("layer2",), ("layer3",), ("layer4",))
    features = RESNET_WIDTHS[-1] * block.expansion
    return MonaiBackbone(network, features, stages, "layer4", spatial_dims)


def monai_densenet121(spatial_dims: int, channels: int) -> MonaiBackbone:
    network = DenseNet121(
        spatial_dims=spatial_dims, in_channels=channels, out_channels=1, act=OUT_OF_PLACE_RELU
    )
    out = network.class_layers.out
    assert isinstance(out, nn.Linear)
    network.class_layers.out = nn.Identity()  # pooled features; the zoo's head classifies
    blocks = tuple(
        (f"features.denseblock{i}", f"features.transition{i}") for i in range(1, 4)
    )
    stages = (
        ("features.conv0", "features.norm0"),
        *blocks,
        ("features.denseblock4", "features.norm5"),
    )
    return MonaiBackbone(network, out.in_features, stages, "features", spatial_dims)


def monai_efficientnet_b0(spatial_dims: int, channels: int) -> MonaiBackbone:
    network = EfficientNetBN(
        "efficientnet-b0", pretrained=False, spatial_dims=spatial_dims, in_channels=channels
    )
    network.set_swish(memory_efficient=False)  # the memory-efficient swish writes in place
    fc = network._fc
    assert isinstance(fc, nn.Linear)
    network._fc = nn.Identity()  # type: ignore[assignment]
    # MONAI groups the MBConv blocks by stage: _blocks.0 .. _blocks.6 for B0.
    blocks = tuple((f"_blocks.{name}",) for name, _ in network._blocks.named_children())
    stages = (("_conv_stem", "_bn0"), *blocks, ("_conv_head", "_bn1"))
    return MonaiBackbone(network, fc.in_features, stages, "_conv_head", spatial_dims)


# A U-Net small enough for DP-SGD on a CPU: encoder widths 8-32 (about 50k parameters).
UNET_SMALL_FEATURES = (8, 16, 16, 32, 32, 8)
UNET_GROUPS = 4  # GroupNorm groups; every width above is a multiple of it
UNET_ENCODER = ("conv_0", "down_1", "down_2", "down_3", "down_4")


def monai_basic_unet(spatial_dims: int, channels: int, classes: int) -> MonaiBackbone:
    """MONAI's BasicUNet with layers every per-sample gradient rule covers: upsampling by
    interpolation after a 1x1 convolution (``nontrainable``, no transposed convolution),
    ReLU (no PReLU, no in-place writes) and GroupNorm (per image, no batch statistics).
    Its output is the per-pixel logits of ``classes`` classes; its stages are the encoder's
    levels (the decoder always trains). The input's side must be a multiple of 16."""
    network = BasicUNet(
        spatial_dims=spatial_dims, in_channels=channels, out_channels=classes,
        features=UNET_SMALL_FEATURES, act=OUT_OF_PLACE_RELU,
        norm=("group", {"num_groups": UNET_GROUPS}), upsample="nontrainable",
    )
    stages = tuple((name,) for name in UNET_ENCODER)
    return MonaiBackbone(network, classes, stages, "upcat_1", spatial_dims)


MONAI_BACKBONES: dict[str, Callable[[int], MonaiBackbone]] = {
    "resnet18": lambda channels: monai_resnet("resnet18", 2, channels),
    "resnet50": lambda channels: monai_resnet("resnet50", 2, channels),
    "densenet121": lambda channels: monai_densenet121(2, channels),
    "efficientnet-b0": lambda channels: monai_efficientnet_b0(2, channels),
    "resnet18-3d": lambda channels: monai_resnet("resnet18", 3, channels),
}


def dp_ready_backbone(name: str, channels: int) -> MonaiBackbone:
    """The MONAI network ``name`` with fixed BatchNorm statistics and no in-place ReLU or
    residual additions."""
    backbone = MONAI_BACKBONES[name](channels)
    fix_batch_norm_statistics(backbone.network)
    for layer in backbone.network.modules():
        if isinstance(layer, nn.ReLU | nn.ReLU6 | nn.SiLU | nn.ELU | nn.LeakyReLU):
            layer.inplace = False
    return backbone
