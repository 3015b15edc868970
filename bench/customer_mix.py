"""Party names drawn to resemble an exporter's customer master, for the load benchmarks.

A real master is not a stream of rare names. It is full of Mohammed, Li, Wang, Ivanov, García and
Müller, of firms with legal forms, of names written in their own script or transliterated, and of
names that are close to listed ones. The mix, per 100 names:

- 62 persons from 11 locales, the common locales weighted up. Two in five take a given name and a
  surname from the locale's most frequent ones; the rest come from Faker. Russian, Chinese and
  Arabic names are written in their own script or transliterated, half each.
- 23 companies from the same locales, with the locale's legal forms (Faker).
- 10 listed names (OFAC SDN and UN entries, primary names and aliases) in a variant: as listed,
  lower case, surname first, one letter changed, or a name part dropped.
- 5 near-listed names: a listed person's surname with a common given name of another person.

Everything is drawn from one seeded `random.Random`, so a run is reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import cache

from anyascii import anyascii
from faker import Faker

from bench.harness import LISTS_DATA
from service.sources.parsers import PARSERS, SourceFile

# Locale -> weight: what an EU exporter's master holds most of.
LOCALES: dict[str, int] = {
    "de_DE": 18,
    "en_US": 12,
    "en_GB": 8,
    "fr_FR": 10,
    "es_ES": 8,
    "it_IT": 8,
    "pt_BR": 5,
    "tr_TR": 7,
    "ru_RU": 9,
    "zh_CN": 9,
    "ar_AA": 6,
}
NATIVE_SCRIPT_LOCALES = frozenset({"ru_RU", "zh_CN", "ar_AA"})

# The most frequent given names and surnames per locale, in the Latin spelling a master most often has.
COMMON_GIVEN: dict[str, tuple[str, ...]] = {
    "de_DE": ("Thomas", "Michael", "Andreas", "Stefan", "Sabine", "Anna", "Peter", "Maria"),
    "en_US": ("James", "John", "Robert", "Michael", "Mary", "Jennifer", "David", "Linda"),
    "en_GB": ("David", "John", "Paul", "Mark", "Sarah", "Susan", "James", "Emma"),
    "fr_FR": ("Jean", "Pierre", "Michel", "Philippe", "Marie", "Nathalie", "Alain", "Sophie"),
    "es_ES": ("Antonio", "José", "Manuel", "Francisco", "María", "Carmen", "Juan", "Ana"),
    "it_IT": ("Giuseppe", "Giovanni", "Antonio", "Mario", "Maria", "Anna", "Luca", "Francesca"),
    "pt_BR": ("José", "João", "Antônio", "Francisco", "Maria", "Ana", "Carlos", "Paulo"),
    "tr_TR": ("Mehmet", "Mustafa", "Ahmet", "Ali", "Fatma", "Ayşe", "Hüseyin", "Emine"),
    "ru_RU": ("Sergei", "Aleksandr", "Dmitry", "Andrei", "Elena", "Olga", "Vladimir", "Tatiana"),
    "zh_CN": ("Wei", "Fang", "Min", "Jing", "Lei", "Jun", "Yong", "Yan"),
    "ar_AA": ("Mohammed", "Ahmed", "Ali", "Mahmoud", "Fatima", "Hassan", "Abdul Rahman", "Omar"),
}
COMMON_SURNAMES: dict[str, tuple[str, ...]] = {
    "de_DE": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"),
    "en_US": ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia"),
    "en_GB": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies"),
    "fr_FR": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"),
    "es_ES": ("García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez"),
    "it_IT": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"),
    "pt_BR": ("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira"),
    "tr_TR": ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk"),
    "ru_RU": ("Ivanov", "Smirnov", "Kuznetsov", "Popov", "Vasiliev", "Petrov", "Sokolov", "Mikhailov"),
    "zh_CN": ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao"),
    "ar_AA": ("Al-Rashid", "Hassan", "Ali", "Ibrahim", "Abdullah", "Al-Hashimi", "Mahmoud", "Khalil"),
}

_LISTED_FILES = (
    ("ofac_csv", ("ofac_sdn/sdn.csv", "ofac_sdn/add.csv", "ofac_sdn/alt.csv", "ofac_sdn/sdn_comments.csv")),
    ("un_xml", ("un_consolidated/consolidated.xml",)),
)


@cache
def listed_names() -> tuple[tuple[str, str], ...]:
    """(type, name) of every primary name and alias of the OFAC SDN and UN lists, in list order."""
    found: list[tuple[str, str]] = []
    for fmt, paths in _LISTED_FILES:
        files = [SourceFile(name=path, content=(LISTS_DATA / path).read_bytes()) for path in paths]
        for entry in PARSERS[fmt](files).entries:
            found.append((entry.type, entry.name))
            found.extend((entry.type, alias.name) for alias in entry.aliases)
    return tuple(found)


def _faker(locale: str, seed: int) -> Faker:
    faker = Faker(locale)
    faker.seed_instance(seed)
    return faker


def _in_master_script(rng: random.Random, locale: str, name: str) -> str:
    """A native-script name as the master holds it: in its script or transliterated, half each."""
    if locale not in NATIVE_SCRIPT_LOCALES or rng.random() < 0.5:
        return name
    if locale == "zh_CN" and " " not in name:
        # A Han name is a one-character surname and the given name: "Liang Xin", not "LiangXin".
        return f"{anyascii(name[:1])} {anyascii(name[1:])}"
    return anyascii(name).strip().title()


def _person(rng: random.Random, locale: str, faker: Faker) -> str:
    if rng.random() < 0.4:
        return f"{rng.choice(COMMON_GIVEN[locale])} {rng.choice(COMMON_SURNAMES[locale])}"
    # Russian names come surname first with a patronymic, Han names as one run ("梁鑫"), as masters hold them.
    name = faker.name() if locale in {"ru_RU", "zh_CN"} else f"{faker.first_name()} {faker.last_name()}"
    return _in_master_script(rng, locale, name)


def _company(rng: random.Random, locale: str, faker: Faker) -> str:
    return _in_master_script(rng, locale, faker.company())


def listed_variant(rng: random.Random, name: str) -> str:
    """A listed name as a customer record might write it."""
    words = name.replace(",", " ").split()
    kind = rng.randrange(5)
    if kind == 1:
        return name.lower()
    if kind == 2 and len(words) > 1:
        return " ".join([words[-1], *words[:-1]])
    if kind == 3:
        longest = max(range(len(words)), key=lambda index: len(words[index]))
        word = words[longest]
        if len(word) > 4:
            at = rng.randrange(1, len(word) - 1)
            words[longest] = word[:at] + rng.choice("aeiourns") + word[at + 1 :]
        return " ".join(words)
    if kind == 4 and len(words) > 2:
        del words[rng.randrange(1, len(words) - 1)]
        return " ".join(words)
    return name


def _near_listed(rng: random.Random, listed: Sequence[tuple[str, str]]) -> str:
    persons = [name for type_, name in listed if type_ == "person"]
    surname = rng.choice(persons).replace(",", " ").split()[0].title()
    locale = rng.choice(list(COMMON_GIVEN))
    return f"{rng.choice(COMMON_GIVEN[locale])} {surname}"


def realistic_names(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    fakers = {locale: _faker(locale, seed) for locale in LOCALES}
    locales, weights = list(LOCALES), list(LOCALES.values())
    listed = listed_names()
    names: list[str] = []
    for _ in range(count):
        draw = rng.random()
        locale = rng.choices(locales, weights)[0]
        if draw < 0.62:
            names.append(_person(rng, locale, fakers[locale]))
        elif draw < 0.85:
            names.append(_company(rng, locale, fakers[locale]))
        elif draw < 0.95:
            names.append(listed_variant(rng, rng.choice(listed)[1]))
        else:
            names.append(_near_listed(rng, listed))
    return names
