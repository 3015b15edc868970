"""Name matching: normalisation, transliteration, an in-memory index and explainable scores."""

from service.matching import native

COMPILED = native.check()  # before any module that may be compiled is imported

from service.matching.index import Index, build_index  # noqa: E402
from service.matching.weights import DEFAULT_WEIGHTS, FeatureWeights  # noqa: E402

__all__ = ["COMPILED", "DEFAULT_WEIGHTS", "FeatureWeights", "Index", "build_index"]
