"""One parser per official format; `PARSERS` maps the catalogue's `format` to it."""

from __future__ import annotations

from service.sources.parsers.au_dfat import parse_au_dfat_xlsx
from service.sources.parsers.base import Parser, SourceFile
from service.sources.parsers.bis_dpl import parse_bis_dpl
from service.sources.parsers.ca_sema import parse_ca_sema_xml
from service.sources.parsers.eu_fsf import parse_eu_fsf_xml
from service.sources.parsers.ftm import parse_ftm_json
from service.sources.parsers.ofac_csv import parse_ofac_csv
from service.sources.parsers.ofac_enhanced_xml import parse_ofac_enhanced_xml
from service.sources.parsers.ofac_xml import parse_ofac_xml
from service.sources.parsers.uk_conlist import parse_uk_conlist
from service.sources.parsers.uk_sanctions_list import parse_uk_sanctions_list
from service.sources.parsers.un_xml import parse_un_xml
from service.sources.parsers.us_csl import parse_us_csl_csv, parse_us_csl_json

PARSERS: dict[str, Parser] = {
    "eu_fsf_xml": parse_eu_fsf_xml,
    "un_xml": parse_un_xml,
    "ca_sema_xml": parse_ca_sema_xml,
    "ftm_json": parse_ftm_json,
    "ofac_csv": parse_ofac_csv,
    "ofac_xml": parse_ofac_xml,
    "ofac_enhanced_xml": parse_ofac_enhanced_xml,
    "us_csl_csv": parse_us_csl_csv,
    "us_csl_json": parse_us_csl_json,
    "bis_dpl_txt": parse_bis_dpl,
    "uk_conlist": parse_uk_conlist,
    "uk_sanctions_list": parse_uk_sanctions_list,
    "au_dfat_xlsx": parse_au_dfat_xlsx,
}

__all__ = ["PARSERS", "Parser", "SourceFile"]
