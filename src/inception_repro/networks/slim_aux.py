"""TF-Slim's auxiliary head, as inception_v4.py and inception_resnet_v2.py both write it: a 5x5
average pool of stride 3 (VALID), a 1x1 conv of 128, a conv of 768 whose kernel is the map's
size (VALID), flatten, and logits without activation. The two files differ only in the names of
its variables and the end point it reads, which are the arguments here."""

from __future__ import annotations

from inception_repro.spec import SAME, VALID, AuxHead, Conv, Dense, Flatten, Pool

AUX = "AuxLogits"  # the variable scope of the whole head in both files


def slim_aux_head(
    source: str,
    end_point: str,
    pool: str,
    conv_768: str,
    logits: str,
    classes: int = 1001,
    logits_name: str | None = None,
) -> AuxHead:
    """source: the file cited ("slim inception_v4.py"); pool: how its pool is cited; conv_768
    and logits: the scopes of the 768 conv and the logits under AuxLogits."""
    return AuxHead(
        "blocks_b",
        (
            Pool("avg", 5, 3, VALID, cite=f"{source} {AUX}/{pool}"),
            Conv(
                128,
                (1, 1),
                1,
                SAME,
                cite=f"{source} {AUX}/Conv2d_1b_1x1",
                scope=f"{AUX}/Conv2d_1b_1x1",
            ),
            Conv(
                768,
                None,
                padding=VALID,
                cite=f"{source} {AUX}/{conv_768} (kernel = map size)",
                scope=f"{AUX}/{conv_768}",
            ),
            Flatten(cite=f"{source} {AUX} slim.flatten"),
            Dense(
                classes,
                None,
                cite=f"{source} {AUX}/{logits} (activation_fn=None)",
                name=logits_name,
                scope=f"{AUX}/{logits}",
            ),
        ),
        cite=f"{source} AuxLogits on end point {end_point}",
    )
