"""The development evaluation set: perturbed real entries (positives) and non-listed names.

Everything is drawn with one seeded `random.Random`, so a run is reproducible. The
perturbations are written independently of the engine's own rules (different tables),
so the set does not simply replay what the engine normalises.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from anyascii import anyascii

from service.matching.types import IndexedEntry, Query

_WORD = re.compile(r"[a-z0-9]+")
NATIVE_SOURCES = frozenset({"un_sc_sanctions", "gb_hmt_sanctions", "gb_fcdo_sanctions"})


@dataclass(slots=True, frozen=True)
class Case:
    category: str
    query: Query
    targets: frozenset[int] = frozenset()
    positive: bool = True


def fold_key(name: str) -> str:
    return " ".join(sorted(_WORD.findall(anyascii(name).lower().replace("'", ""))))


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", name) if w]


# --- perturbations ----------------------------------------------------------------------

_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def typo(rng: random.Random, name: str) -> str | None:
    words = _words(name)
    long_words = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if len(words) < 2 or not long_words:
        return None
    i = rng.choice(long_words)
    word = words[i]
    pos = rng.randrange(1, len(word))
    kind = rng.choice(("swap", "drop", "double", "replace"))
    if kind == "swap" and pos < len(word) - 1:
        word = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    elif kind == "drop":
        word = word[:pos] + word[pos + 1 :]
    elif kind == "double":
        word = word[:pos] + word[pos] + word[pos:]
    else:
        word = word[:pos] + rng.choice(_KEYBOARD) + word[pos + 1 :]
    words[i] = word
    return " ".join(words)


def reorder(rng: random.Random, name: str) -> str | None:
    words = [w.strip(",") for w in _words(name)]
    if len(words) < 2:
        return None
    if "," in name:  # "LAST, First" -> "First LAST"
        last, _, first = name.partition(",")
        return f"{first.strip()} {last.strip()}"
    shuffled = words[:]
    while shuffled == words:
        rng.shuffle(shuffled)
    return " ".join(shuffled)


def drop_middle(rng: random.Random, name: str) -> str | None:
    words = [w.strip(",") for w in _words(name)]
    if "," in name:
        last, _, first = name.partition(",")
        words = _words(first) + _words(last)
    if len(words) < 3:
        return None
    del words[rng.randrange(1, len(words) - 1)]
    return " ".join(words)


_TRANSLIT_RULES: tuple[tuple[str, str], ...] = (
    (r"\bmohammed\b", "Muhammad"), (r"\bmuhammad\b", "Mohamed"), (r"\bmohamed\b", "Mohammad"),
    (r"\bmohammad\b", "Muhammed"), (r"\babdul ", "Abd al-"), (r"\babd al-?", "Abdul "), (r"\babdel", "Abdul"),
    (r"\byevgeniy\b", "Evgeny"), (r"\bevgeniy\b", "Yevgeny"), (r"\byevgeny\b", "Evgenii"),
    (r"\baleksandr\b", "Alexander"), (r"\boleksandr\b", "Aleksandr"), (r"\balexander\b", "Aleksandr"),
    (r"\bsergey\b", "Sergei"), (r"\bsergei\b", "Sergey"), (r"\byuriy\b", "Yury"), (r"\bdmitriy\b", "Dmitry"),
    (r"iy\b", "y"), (r"yy\b", "y"), (r"ii\b", "iy"), (r"ou", "u"), (r"oo", "u"), (r"\by", "i"), (r"ee", "i"),
    (r"sh", "sch"), (r"ch", "tch"), (r"zh", "j"), (r"ya", "ia"), (r"yu", "iu"), (r"kh", "h"), (r"ei", "ey"),
    (r"\bal-", "el-"), (r"\bel-", "al-"), (r"\bal ", "al-"), (r"\bhussein\b", "Husayn"), (r"\bhusayn\b", "Hussein"),
    (r"\bhassan\b", "Hasan"), (r"\byousef\b", "Yusuf"), (r"\byusuf\b", "Youssef"), (r"\bosama\b", "Usama"),
    (r"\busama\b", "Osama"), (r"q", "k"), (r"dj", "j"), (r"ph", "f"), (r"w", "v"),
)  # fmt: skip


def translit(rng: random.Random, name: str) -> str | None:
    lowered = name.lower()
    applicable = [(p, r) for p, r in _TRANSLIT_RULES if re.search(p, lowered)]
    if not applicable:
        return None
    for pattern, replacement in rng.sample(applicable, min(len(applicable), rng.choice((1, 2)))):
        lowered = re.sub(pattern, replacement.lower(), lowered, count=1)
    return lowered.title() if lowered != name.lower() else None


_LEGAL_EQUIVALENTS: tuple[tuple[str, ...], ...] = (
    ("LLC", "L.L.C.", "Limited Liability Company", "OOO", "ООО"),
    ("LTD", "Limited", "Co., Ltd.", "Company Limited", "Co. Limited"),
    ("JSC", "Joint Stock Company", "AO", "АО", "OAO", "PJSC", "PAO", "Public Joint Stock Company"),
    ("INC", "Incorporated", "Corp.", "Corporation"),
    ("GMBH", "GmbH", "LLC"),
    ("S.A.", "SA", "Sociedad Anonima"),
)
_ALL_FORMS = sorted({form.upper() for group in _LEGAL_EQUIVALENTS for form in group}, key=len, reverse=True)


def legal_form(rng: random.Random, name: str) -> str | None:
    upper = name.upper().rstrip(". ")
    for form in _ALL_FORMS:
        for candidate in (f" {form}", f", {form}"):
            if upper.endswith(candidate):
                stem = name[: len(upper) - len(candidate)].strip(" ,")
                group = next(g for g in _LEGAL_EQUIVALENTS if form in {f.upper() for f in g})
                others = [f for f in group if f.upper() != form]
                choice = rng.choice([*others, ""])
                position = rng.random()
                if choice and position < 0.3:
                    return f"{choice} {stem}"  # Russian order: OOO Romashka
                return f"{stem} {choice}".strip()
        if upper.startswith(form + " "):
            stem = name[len(form) + 1 :]
            group = next(g for g in _LEGAL_EQUIVALENTS if form in {f.upper() for f in g})
            return f"{stem} {rng.choice([f for f in group if f.upper() != form])}"
    return f"{name} {rng.choice(('LLC', 'Ltd', 'JSC', 'Co., Ltd.'))}"  # a form the list does not have


# --- negatives -------------------------------------------------------------------------

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Emily", "James", "Olivia", "Liam", "Charlotte", "Henry", "Amelia", "Jack", "Sophie", "Oliver"),
    "de": ("Lukas", "Anna", "Jonas", "Lea", "Felix", "Hannah", "Maximilian", "Marie", "Jan", "Katharina"),
    "fr": ("Camille", "Louis", "Chloé", "Hugo", "Manon", "Théo", "Léa", "Antoine", "Inès", "Julien"),
    "es": ("Lucía", "Mateo", "Sofía", "Diego", "Valentina", "Javier", "Martina", "Carlos", "Paula", "Andrés"),
    "ru": ("Dmitri", "Anastasia", "Pavel", "Yekaterina", "Konstantin", "Olga", "Timofei", "Svetlana", "Kirill"),
    "ar": ("Omar", "Layla", "Khalid", "Fatima", "Tariq", "Noor", "Hamza", "Yasmin", "Bilal", "Rania"),
    "zh": ("Wei", "Fang", "Jing", "Lei", "Min", "Yan", "Hao", "Xiu", "Jun", "Ling"),
    "in": ("Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Kavya", "Arjun", "Isha", "Siddharth", "Neha"),
    "ja": ("Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Kaito", "Sakura", "Yuto", "Mei"),
    "tr": ("Emre", "Zeynep", "Burak", "Elif", "Mert", "Ayşe", "Can", "Derya", "Kerem", "Selin"),
    "pt": ("João", "Beatriz", "Gabriel", "Mariana", "Rafael", "Larissa", "Tiago", "Camila", "Bruno", "Letícia"),
}  # fmt: skip
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Whitfield", "Harrington", "Pemberton", "Ashworth", "Caldwell", "Thornbury", "Langley", "Fairbanks"),
    "de": ("Schäfer", "Hoffmann", "Brandstätter", "Kühn", "Wegener", "Lindqvist", "Oberhauser", "Zimmermann"),
    "fr": ("Lefèvre", "Rousseau", "Delacroix", "Marchand", "Fontaine", "Chevalier", "Garnier", "Bouchard"),
    "es": ("Villanueva", "Castañeda", "Quintero", "Arrieta", "Montoya", "Echeverría", "Salazar", "Bustamante"),
    "ru": ("Zhukovsky", "Belousova", "Kuznetsova", "Morozov", "Tikhonov", "Golubeva", "Lebedinsky", "Sorokin"),
    "ar": ("Haddad", "Nasser", "Khoury", "Mansour", "Saleh", "Qasim", "Darwish", "Barakat"),
    "zh": ("Zhou", "Huang", "Xu", "Sun", "Ma", "Guo", "Lin", "He"),
    "in": ("Raghunathan", "Iyer", "Chatterjee", "Deshpande", "Menon", "Bhattacharya", "Kulkarni", "Nair"),
    "ja": ("Takahashi", "Watanabe", "Yamamoto", "Nakamura", "Kobayashi", "Yoshida", "Matsumoto", "Inoue"),
    "tr": ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk", "Arslan"),
    "pt": ("Oliveira", "Carvalho", "Ribeiro", "Almeida", "Teixeira", "Moura", "Cardoso", "Barbosa"),
}  # fmt: skip
COMPANY_WORDS = (
    "Blue", "River", "Summit", "Harbor", "Evergreen", "Northwind", "Silverline", "Cedar", "Pioneer", "Lakeside",
    "Brightwater", "Oakridge", "Sunflower", "Granite", "Meadow", "Falcon", "Coastal", "Horizon", "Maple", "Aurora",
)  # fmt: skip
COMPANY_KINDS = ("Logistics", "Bakery", "Textiles", "Software", "Consulting", "Foods", "Dental Clinic", "Furniture")
COMPANY_FORMS = ("Ltd", "GmbH", "LLC", "S.A.", "Inc.", "Pty Ltd", "B.V.", "", "S.r.l.", "AB")


def person_name(rng: random.Random) -> str:
    locale = rng.choice(list(FIRST_NAMES))
    first = rng.choice(FIRST_NAMES[locale])
    if rng.random() < 0.3:
        first += " " + rng.choice(FIRST_NAMES[locale])
    return f"{first} {rng.choice(LAST_NAMES[locale])}"


def company_name(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {rng.choice(COMPANY_FORMS)}".strip()


def _near_miss(rng: random.Random, entry: IndexedEntry, frequency: dict[str, int]) -> str | None:
    """Keep the most common word of a listed name, replace the rest with unrelated words."""
    words = [w.strip(",") for w in _words(entry.name)]
    if len(words) < 2:
        return None
    keep = max(range(len(words)), key=lambda i: frequency.get(fold_key(words[i]), 0))
    if entry.type == "person":
        locale = rng.choice(list(FIRST_NAMES))
        others = [rng.choice(LAST_NAMES[locale]) for _ in words]
    else:
        others = [rng.choice(COMPANY_WORDS + COMPANY_KINDS) for _ in words]
    others[keep] = words[keep]
    return " ".join(others)


# --- assembly --------------------------------------------------------------------------


def build_cases(entries: list[IndexedEntry], *, per_category: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    by_key: dict[str, set[int]] = defaultdict(set)
    for number, entry in enumerate(entries):
        for name in (entry.name, *(alias.name for alias in entry.aliases)):
            by_key[fold_key(name)].add(number)

    def same_party(number: int) -> frozenset[int]:
        return frozenset(by_key[fold_key(entries[number].name)] | {number})

    persons = [n for n, e in enumerate(entries) if e.type == "person"]
    organisations = [n for n, e in enumerate(entries) if e.type == "organization"]
    anything = list(range(len(entries)))
    cases: list[Case] = []

    def positives(category: str, pool: list[int], perturb: Callable[[random.Random, str], str | None]) -> None:
        made = 0
        for number in rng.sample(pool, len(pool)):
            if made >= per_category:
                break
            query = perturb(rng, entries[number].name)
            if query and (fold_key(query) not in by_key or category == "order"):
                cases.append(Case(category, Query(query), same_party(number)))
                made += 1

    positives("typo", anything, typo)
    positives("order", persons, reorder)
    positives("dropped_middle", persons, drop_middle)
    positives("translit_variant", anything, translit)
    positives("legal_form", organisations, legal_form)

    made = 0
    for number in rng.sample(anything, len(anything)):
        entry = entries[number]
        aliases = [a.name for a in entry.aliases if a.strength == "strong" and a.script is None]
        aliases = [a for a in aliases if len(by_key[fold_key(a)]) == 1 or number in by_key[fold_key(a)]]
        aliases = [a for a in aliases if set(fold_key(a).split()).isdisjoint(fold_key(entry.name).split())]
        if aliases and made < per_category:
            cases.append(Case("alias_only", Query(rng.choice(aliases)), same_party(number)))
            made += 1

    others = frozenset({e.source for e in entries}) - NATIVE_SOURCES
    made = 0
    for number in rng.sample(anything, len(anything)):
        entry = entries[number]
        if entry.source not in NATIVE_SOURCES or made >= per_category:
            continue
        natives = [a.name for a in entry.aliases if a.script not in (None, "Latn")]
        latin_keys = {fold_key(entry.name), *(fold_key(a.name) for a in entry.aliases if a.script in (None, "Latn"))}
        targets = frozenset(n for key in latin_keys for n in by_key[key] if entries[n].source in others)
        if natives and targets:
            cases.append(Case("native_script", Query(rng.choice(natives), sources=others), targets))
            made += 1

    by_word: dict[str, set[int]] = defaultdict(set)
    for number, entry in enumerate(entries):
        for name in (entry.name, *(alias.name for alias in entry.aliases)):
            for word in fold_key(name).split():
                by_word[word].add(number)

    def listed_name(name: str) -> bool:
        """All words of `name` in one listed entry: a true name match, not a negative."""
        sets = [by_word.get(word, set()) for word in fold_key(name).split()]
        return bool(sets) and bool(set.intersection(*sets))

    made = 0
    while made < per_category:
        name = person_name(rng) if rng.random() < 0.7 else company_name(rng)
        if not listed_name(name):
            cases.append(Case("negative", Query(name), positive=False))
            made += 1
    frequency: dict[str, int] = defaultdict(int)
    for entry in entries:
        for word in set(fold_key(entry.name).split()):
            frequency[word] += 1
    made = 0
    for number in rng.sample(anything, len(anything)):
        if made >= per_category:
            break
        name = _near_miss(rng, entries[number], frequency)
        if name and not listed_name(name):
            cases.append(Case("near_miss", Query(name), positive=False))
            made += 1
    return cases
