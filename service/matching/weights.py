"""Feature weights as data: one table, tuned against bench/quality.py.

The name score is in [0, 1]; attribute features add or subtract from it. Tuning
notes: a perfect name with agreeing attributes must reach 1.0; a contradicting
birth year or country must pull a perfect name below the block threshold (0.97)
while leaving it above review; an entity-type contradiction (person vs company)
must pull it below review.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class FeatureWeights:
    # Name score = query_coverage * (share of the query's weight matched)
    #            + listed_coverage * (share of the listed name's weight matched).
    query_coverage: float = 0.7
    listed_coverage: float = 0.3
    # Weight of the query's unmatched parts in its coverage once two or more parts are aligned.
    query_extra: float = 0.7
    # Weight of the listed name's unmatched parts in its coverage (1.0 = as much as matched ones).
    listed_missing: float = 0.5
    # Factor on the name score when a single part is shared with a longer listed name.
    single_part: float = 0.9
    # Part similarity: below `part_floor` (Jaro-Winkler) two parts do not match at all.
    part_floor: float = 0.84
    # Above the floor, a merely similar part scores 1 - stretch * (1 - letter similarity),
    # letter similarity being the mean of Jaro-Winkler and the edit-distance ratio; it
    # counts from `spelling_floor`.
    spelling_stretch: float = 1.5
    spelling_floor: float = 0.6
    # One letter added, dropped, changed or two swapped in parts of at least `one_edit_length` letters
    # is a typo of the same part, however the letters around it compare ("FOREXT" / "FOREST").
    one_edit: float = 0.9
    one_edit_length: int = 6
    # Parts sharing a phonetic key count as spelling variants only when of similar length.
    variant_length_ratio: float = 0.7
    # Phonetic-key agreement lifts a part pair to floor + gain * Jaro-Winkler.
    phonetic_floor: float = 0.4
    phonetic_gain: float = 0.6
    # Consonant keys of abjad-written parts agree only when the shorter is at least this share of the longer.
    abjad_key_ratio: float = 0.75
    # An initial ("N.") against a full part.
    initial: float = 0.6
    # Rarity: a part's weight is its inverse document frequency, at least this.
    min_part_weight: float = 1.0
    # Patronymics (Viktorovich, Ivanovna) are often left out by customers.
    patronymic: float = 0.4
    # Particles (al, bin, abu, de, van ...) say little about who someone is.
    particle: float = 0.3
    # Whole-name comparison without spaces (ALQAIDA vs AL QAIDA) counts from this similarity.
    compact_floor: float = 0.9
    # Attributes.
    birth_date_exact: float = 0.05
    birth_date_year: float = 0.03
    birth_date_swapped: float = 0.02
    birth_date_near: float = 0.0
    birth_date_contradiction: float = -0.12
    # Birth years this far apart pull even a perfect name below review.
    generation_gap_years: int = 20
    birth_date_generation: float = -0.2
    country_match: float = 0.03
    country_contradiction: float = -0.06
    type_contradiction: float = -0.25
    legal_form_match: float = 0.01
    legal_form_contradiction: float = -0.02
    weak_alias: float = -0.03
    # One query word that is a part of at most `rare_part_names` listed names, and a part of a listed person's
    # longer name: that match scores at least this (above one-word aliases spelt alike), as a review.
    rare_part_floor: float = 0.96
    rare_part_names: int = 12


DEFAULT_WEIGHTS = FeatureWeights()
