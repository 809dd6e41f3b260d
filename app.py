"""Branchwise in the browser: ask the outline questions, read cited answers, browse and re-index it.

Glue only: settings, page layout and wiring. The views live in `ui/`, answers come from
`assistant`, and the same settings as the CLI apply, e.g.
`BRANCHWISE_SEEDS=notes/ BRANCHWISE_INDEX=/tmp/notes-index streamlit run app.py`.
"""

from functools import partial

import streamlit as st

from assistant import Assistant
from core.errors import BranchwiseError
from core.settings import Settings
from core.startup import start
from ui import chat, index_panel, outline_browser, sidebar

start()  # the imports above load no torch or faiss yet: they load behind the first use
st.set_page_config(page_title="Branchwise · ask your outline", page_icon=":material/forest:")

try:
    settings = Settings.from_env()
except BranchwiseError as error:  # a mistyped BRANCHWISE_* variable
    st.error(str(error))
    st.stop()
status = index_panel.read_status(settings)
retriever = index_panel.ready_retriever(settings, status)


def ask() -> None:
    chat.page(assistant, options, retriever.index.chunks, browse)


def browse_outline() -> None:
    outline_browser.page(status.files, index_panel.last_changes(settings))


outline_page = st.Page(
    browse_outline, title="Outline", icon=":material/account_tree:", url_path="outline"
)
browse = partial(outline_browser.open_at, outline_page)
index_box = st.sidebar.container()
options = sidebar.chat_options(settings)
with index_box:
    index_panel.sidebar_panel(settings, options.model_name, browse)
assistant = Assistant(retriever, options.generator, settings)
st.navigation(
    [st.Page(ask, title="Ask", icon=":material/forum:", default=True), outline_page]
).run()
