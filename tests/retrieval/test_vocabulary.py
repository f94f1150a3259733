"""The vocabulary is data: the core's file plus the plugins' files, merged."""

from __future__ import annotations

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.retrieval.documents import stem
from mcp_sre.retrieval.vocabulary import VOCAB_FILE, load_vocabulary, plugin_vocabularies


def test_vocabulary_file_is_well_formed() -> None:
    vocab = load_vocabulary(make_plugin_manager())
    assert "list" in vocab.intents and vocab.terms["安全组"].startswith("security")
    assert all(parts and token for parts, token, _ in vocab.compounds)
    assert all(0 < w <= 1 for aliases in vocab.services.values() for w in aliases.values())


def test_cloud_vocabulary_comes_from_the_plugins(tmp_path, monkeypatch) -> None:
    """The core vocabulary names no cloud; each cloud plugin contributes its own file, and a
    third-party file merges in the same way (mappings key by key, lists appended)."""
    pm = make_plugin_manager()
    files = {p.parent.name for p in plugin_vocabularies(pm)}
    assert {"mcp_sre_aws", "mcp_sre_kubernetes"} <= files
    core = load_vocabulary()
    assert not core.services and not core.providers and not core.common
    assert not core.scopes and not core.lists and core.flags is None  # no command syntax
    full = load_vocabulary(pm)
    assert ("aws", "ec2") in full.services and "k8s" in full.providers["kubernetes"]
    mine = tmp_path / "vocab.yaml"
    mine.write_text("services:\n  mycloud:\n    widgets:\n      strong: [widget, widgets]\n"
                    "providers:\n  mycloud: [mycloud]\ncompounds:\n  - [widget, pool]\n",
                    encoding="utf-8")
    merged = load_vocabulary(path=VOCAB_FILE, extra=[*plugin_vocabularies(pm), mine])
    assert merged.services[("mycloud", "widgets")]["widget"] > 0
    assert ("aws", "ec2") in merged.services and merged.providers["mycloud"] == ["mycloud"]
    assert len(merged.compounds) == len(full.compounds) + 1
    monkeypatch.setenv("MCP_SRE_DISABLE_PLUGINS", "aws")
    assert ("aws", "ec2") not in load_vocabulary(make_plugin_manager()).services


def test_a_short_name_spelt_as_one_word_is_a_compound_of_operation_names() -> None:
    """"crd" -> customresourcedefinition meets readCustomResourceDefinition only when the
    words the operation name spells apart fuse into that one word: a short name whose
    expansion is one joined word needs its compound."""
    vocab = load_vocabulary(make_plugin_manager())
    fused = {token for _, token, _ in vocab.compounds}
    joined = {stem(vocab.terms[k]) for k in vocab.precise
              if " " not in k and " " not in vocab.terms[k] and len(vocab.terms[k]) > 10}
    assert stem("customresourcedefinition") in joined
    assert joined <= fused, joined - fused
