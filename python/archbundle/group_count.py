"""The number of groups of a group normalisation, as src/core/group-count.ts: the argument
checks need it without PyTorch, the PyTorch layers to build."""


def group_count(channels: int) -> int:
    """The reference implementation's group count: the first of 32, 24 and 16 groups, each at
    most half the channels, that divides the channels."""
    for candidate in (32, 24, 16):
        groups = min(candidate, channels // 2)
        if groups > 0 and channels % groups == 0:
            return groups
    raise ValueError(f"group normalisation over {channels} channels: no group count of 32, 24 or 16 fits")
