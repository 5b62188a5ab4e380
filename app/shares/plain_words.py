"""Imaging words a patient understands: modality codes and usual study descriptions in lay
terms, per language, for the recipient pages and the handout.

One small table here, not in the message catalogs: the keys are DICOM codes and words, not
English sentences, and an unknown word simply stays as the clinic's system wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

LANGUAGES = ("en", "fr", "de")

# Modality (0008,0060) → (English, French, German).
MODALITIES: dict[str, tuple[str, str, str]] = {
    "CT": ("CT scan", "Scanner", "CT-Untersuchung"),
    "MR": ("MRI scan", "IRM", "MRT-Untersuchung"),
    "US": ("Ultrasound", "Échographie", "Ultraschall"),
    "CR": ("X-ray", "Radiographie", "Röntgenbild"),
    "DX": ("X-ray", "Radiographie", "Röntgenbild"),
    "MG": ("Mammogram", "Mammographie", "Mammographie"),
    "PT": ("PET scan", "TEP-scan", "PET-Untersuchung"),
    "NM": ("Nuclear medicine scan", "Scintigraphie", "Szintigrafie"),
    "XA": ("Angiography", "Angiographie", "Angiographie"),
    "RF": ("Fluoroscopy", "Radioscopie", "Durchleuchtung"),
    "OT": ("Other images", "Autres images", "Weitere Bilder"),
    "SR": ("Written report", "Compte rendu", "Befundbericht"),
    "DOC": ("Document", "Document", "Dokument"),
}
# What a viewer keeps beside the images; never an exam of its own.
NOT_AN_EXAM = frozenset({"KO", "PR", "SEG", "REG"})
# Other codes written in descriptions ("CHEST XR").
DESCRIPTION_MODALITIES = {"XR": "CR", "MRI": "MR", "PET": "PT", "ECHO": "US", "MAMMO": "MG"}

# Words of usual descriptions → (English, French, German).
WORDS: dict[str, tuple[str, str, str]] = {
    "HEAD": ("head", "tête", "Kopf"),
    "BRAIN": ("brain", "cerveau", "Gehirn"),
    "SKULL": ("skull", "crâne", "Schädel"),
    "SINUS": ("sinuses", "sinus", "Nasennebenhöhlen"),
    "NECK": ("neck", "cou", "Hals"),
    "THYROID": ("thyroid", "thyroïde", "Schilddrüse"),
    "CHEST": ("chest", "thorax", "Brustkorb"),
    "THORAX": ("chest", "thorax", "Brustkorb"),
    "LUNG": ("lungs", "poumons", "Lunge"),
    "HEART": ("heart", "cœur", "Herz"),
    "CARDIAC": ("heart", "cœur", "Herz"),
    "BREAST": ("breast", "sein", "Brust"),
    "ABDOMEN": ("abdomen", "abdomen", "Bauch"),
    "LIVER": ("liver", "foie", "Leber"),
    "KIDNEY": ("kidneys", "reins", "Nieren"),
    "RENAL": ("kidneys", "reins", "Nieren"),
    "PELVIS": ("pelvis", "bassin", "Becken"),
    "SPINE": ("spine", "colonne vertébrale", "Wirbelsäule"),
    "SHOULDER": ("shoulder", "épaule", "Schulter"),
    "ELBOW": ("elbow", "coude", "Ellenbogen"),
    "WRIST": ("wrist", "poignet", "Handgelenk"),
    "HAND": ("hand", "main", "Hand"),
    "HIP": ("hip", "hanche", "Hüfte"),
    "KNEE": ("knee", "genou", "Knie"),
    "ANKLE": ("ankle", "cheville", "Sprunggelenk"),
    "FOOT": ("foot", "pied", "Fuß"),
    "LEFT": ("left", "gauche", "links"),
    "RIGHT": ("right", "droit", "rechts"),
    "CONTRAST": ("with contrast agent", "avec produit de contraste", "mit Kontrastmittel"),
}
_TOKEN = re.compile(r"[A-Za-zÀ-ÿ]+")


def _in(language: str, terms: tuple[str, str, str]) -> str:
    return terms[LANGUAGES.index(language) if language in LANGUAGES else 0]


def modality_names(modalities: Sequence[str], language: str) -> list[str]:
    """Each exam kind once, in lay terms; unknown codes as written, viewer extras left out."""
    names: list[str] = []
    for code in modalities:
        code = code.strip().upper()
        if not code or code in NOT_AN_EXAM:
            continue
        name = _in(language, MODALITIES[code]) if code in MODALITIES else code
        if name not in names:
            names.append(name)
    return names


@dataclass(frozen=True)
class ExamName:
    """An exam as a patient reads it, and as the clinic's system recorded it (for a call)."""

    title: str
    recorded: str


def exam_name(description: str | None, modalities: Sequence[str], language: str) -> ExamName:
    """`US THYROID` → "Ultrasound: thyroid"; words not in the table are left out of the
    title, and the recorded description is kept beside it."""
    recorded = " ".join((description or "").split())
    tokens = [token.upper() for token in _TOKEN.findall(recorded)]
    codes = [DESCRIPTION_MODALITIES.get(token, token) for token in tokens]
    kinds = modality_names([c for c in codes if c in MODALITIES] or list(modalities), language)
    parts: list[str] = []
    for token in tokens:
        word = _in(language, WORDS[token]) if token in WORDS else None
        if word and word not in parts:
            parts.append(word)
    title = ": ".join(filter(None, (" / ".join(kinds), ", ".join(parts))))
    return ExamName(title=title or recorded, recorded=recorded if recorded != title else "")
