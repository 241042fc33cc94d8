"""support.models: a model, and what is computed from it, is cached by its arguments as read."""

from support.models import per_arguments


def test_a_cached_function_is_keyed_by_its_arguments_as_read():
    built = []

    @per_arguments
    def model(model_id, input_size=(299, 299), include_top=True):
        built.append((model_id, input_size, include_top))
        return object()

    one = model("m")
    assert model("m", [299, 299], True) is one and model(model_id="m", input_size=(299, 299)) is one
    assert model("m", (331, 331)) is not one and model("m", include_top=False) is not one
    assert built == [("m", (299, 299), True), ("m", (331, 331), True), ("m", (299, 299), False)]
