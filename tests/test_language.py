"""The language check's model, loaded from its decompressed copy (pipeline/language.py): the same answers as
py3langid's own loader, and a copy made whole in an empty cache folder."""
from importlib.metadata import version

import py3langid

from pipeline import language

TEXTS = [
    "The ministry said the contract for the jets was signed on Monday.",
    "Le ministère a déclaré que le contrat pour les avions avait été signé lundi.",
    "Das Ministerium teilte mit, der Vertrag über die Flugzeuge sei am Montag unterzeichnet worden.",
    "Міністерство заявило, що контракт на літаки підписано в понеділок.",
    "国防部表示，战斗机合同已于周一签署。",
    "Ministerstwo poinformowało, że umowa na samoloty została podpisana w poniedziałek.",
    "RAF", "12345 !!", "F-35A", "THE MINISTRY SAID SO",
]


def test_a_fresh_copy_gives_py3langids_answers(tmp_path, monkeypatch):
    monkeypatch.setenv("DEFNEWS_CACHE_DIR", str(tmp_path))
    language.identifier.cache_clear()
    try:
        ours = language.identifier()
        (folder,) = tmp_path.iterdir()
        assert folder.name.startswith(f"py3langid-{version('py3langid')}-")
        assert sorted(f.name for f in folder.iterdir()) == sorted(f"{n}.npy" for n in language.ARRAYS)
        for text in TEXTS:
            assert ours.classify(text) == py3langid.classify(text), text
        language.identifier.cache_clear()  # now loaded from the copy
        again = language.identifier()
        assert again is not ours and [again.classify(t) for t in TEXTS] == [py3langid.classify(t) for t in TEXTS]
    finally:
        language.identifier.cache_clear()
