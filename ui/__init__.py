"""Branchwise's Streamlit views and cached loaders, used only by `app.py`.

Each module renders one part of the app (chat, citations, sidebar, index, outline browser) or
holds a pure helper it needs (export). No parsing, search or prompt code lives here: that is
`indexer`, `retriever` and `assistant`.
"""
