"""Official standards used to describe customers: industry, statutory size and region.

- :func:`classify_industry`, :func:`unknown_industry_codes`: GB/T 4754-2017 sections and
  divisions, with a crosswalk to ISIC Rev.4 sections.
- :func:`size_cn`: 统计上大中小微型企业划分办法（2017）; :func:`size_eu`: Recommendation
  2003/361/EC; :func:`scale_band`: configurable revenue bands.
- :func:`classify_region`: 国家统计局 东西中部和东北地区划分方法 (2011) and the seven
  geographic regions.
"""

from segkit.standards.industry import (
    classify_industry,
    industry_divisions,
    industry_sections,
    section_label,
    unknown_industry_codes,
)
from segkit.standards.regions import classify_region
from segkit.standards.scale import scale_band
from segkit.standards.size import size_cn, size_eu

__all__ = [
    "classify_industry",
    "unknown_industry_codes",
    "industry_sections",
    "industry_divisions",
    "section_label",
    "size_cn",
    "size_eu",
    "scale_band",
    "classify_region",
]
