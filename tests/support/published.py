"""Numbers about the released Inception-ResNet-v2, each with its source; the one place the tests
read them from (docs/sources.md, "The released Keras model")."""

# The installed Keras's own count, not a published one: model.count_params() of
# keras/src/applications/inception_resnet_v2.py (Keras 3.15.1, as its model.summary() prints
# it): total, trainable, non-trainable (the BN moving means and variances), with the top (True)
# and without it (False). keras.io prints only "55.9M" (KERAS_IO below).
RELEASED_PARAMS = {
    True: (55_873_736, 55_813_192, 60_544),
    False: (54_336_736, 54_276_192, 60_544),
}

# Published elsewhere, as printed: keras.io/api/applications, Available models table, the
# InceptionResNetV2 row's parameters; timm's results/results-imagenet.csv, param_count of
# inception_resnet_v2.tf_in1k (its PyTorch port: BN gamma counted, moving statistics not).
KERAS_IO = "55.9M"
TIMM = "55.84M"
