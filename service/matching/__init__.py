"""Name matching: normalisation, transliteration, an in-memory index and explainable scores."""

from service.matching.index import Index, build_index
from service.matching.weights import DEFAULT_WEIGHTS, FeatureWeights

__all__ = ["DEFAULT_WEIGHTS", "FeatureWeights", "Index", "build_index"]
