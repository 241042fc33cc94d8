"""Numbers published for the released Inception-ResNet-v2, each with its source; the one place
the tests read them from (docs/sources.md, "The released Keras model")."""

# keras.io/api/applications (55.9M; the exact count is Keras's own model.summary() of
# keras/src/applications/inception_resnet_v2.py): total, trainable, non-trainable (the BN moving
# means and variances), with the top (True) and without it (False).
RELEASED_PARAMS = {
    True: (55_873_736, 55_813_192, 60_544),
    False: (54_336_736, 54_276_192, 60_544),
}
