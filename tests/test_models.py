"""support.models: a model, and what is computed from it, is cached by its arguments as read;
the model a test computes with is the graph it summarises."""

from support.models import graph_of, loaded, per_arguments, summary_of

from inception_repro import summary, upstream


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


def test_the_model_computed_with_is_the_graph_summarised_filled():
    args = ("paper-inception-resnet-v1", (139, 139), False)  # a size no other test builds
    graph = graph_of(*args)
    assert not any(upstream.has_value(v) for v in graph.model.variables)
    assert loaded(*args) is graph  # one build, whichever a test asks for first
    assert all(upstream.has_value(v) for v in graph.model.variables)
    assert summary.summarise(graph.model, graph.stage_ends) == summary_of(*args)
