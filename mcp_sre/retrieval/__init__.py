"""Hybrid retrieval over every known operation: documents from APISpecs, BM25 per field,
dense vectors (multilingual e5, offline), Reciprocal Rank Fusion, a feature reranker, and
Chinese/English SRE query rewriting."""

from mcp_sre.retrieval.indexer import IndexStatus
from mcp_sre.retrieval.retriever import Retriever
from mcp_sre.retrieval.searcher import SearchResult

__all__ = ["IndexStatus", "Retriever", "SearchResult"]
