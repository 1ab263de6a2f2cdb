# spectrocloud.palette: `make demo` shows the collection working, `make test` runs
# every check. Both set up what they need; see README.md.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BUILD ?= build
ANSIBLE_TEST_PYTHON ?= 3.11

VENV_BIN := $(abspath $(VENV))/bin
COLLECTION := $(abspath $(BUILD))/ansible_collections/spectrocloud/palette
ANSIBLE_TEST := cd $(COLLECTION) && $(VENV_BIN)/ansible-test
TEST_FLAGS := --venv --python $(ANSIBLE_TEST_PYTHON) --color no
GET_PIP_CACHE := $(HOME)/.ansible/test/cache

export ANSIBLE_NOCOLOR := 1
export PATH := $(VENV_BIN):$(PATH)

.PHONY: help demo test sanity units integration release-check build-check lint docs changelog \
	matrix bench bench-smoke collection venv system-packages clean

help:
	@echo "make demo         run the demo playbook against the local Palette emulator"
	@echo "make test         run every check (lint, sanity, units, integration, release, docs, matrix, bench-smoke)"
	@echo "make sanity|units|integration|release-check|lint|docs|matrix   one check (integration"
	@echo "                  includes the -vvvv leak check)"
	@echo "make docs         HTML docsite in build/docsite/html"
	@echo "make changelog    rewrite CHANGELOG.md, the preview of changelogs/fragments"
	@echo "make bench        the collection against ansible.builtin's uri and url, measured side by"
	@echo "                  side (< 10 min): build/bench/results.md, .json and task-time.png"
	@echo "make clean        remove the venv and build output"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt tests/requirements-dev.txt tests/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV_BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r tests/requirements-dev.txt -c tests/constraints.txt
	touch $@

# ansible-test wants the collection under ansible_collections/<ns>/<name>, and it
# downloads a pip bootstrap script for each venv from a host only Ansible's CI
# reaches; a local stand-in in its cache makes that step work offline.
collection: venv
	tests/utils/sync-collection.sh $(COLLECTION)

ansible-test-cache:
	mkdir -p $(GET_PIP_CACHE)
	for version in 24_2 25_2; do \
		[ -e $(GET_PIP_CACHE)/get_pip_$$version.py ] \
			|| cp tests/utils/get_pip_offline.py $(GET_PIP_CACHE)/get_pip_$$version.py; \
	done

system-packages:
	tests/utils/system-packages.sh

sanity: collection ansible-test-cache system-packages
	$(ANSIBLE_TEST) sanity $(TEST_FLAGS)

units: collection ansible-test-cache
	$(ANSIBLE_TEST) units $(TEST_FLAGS) --requirements

# One run at -vvvv serves both: the targets must pass and the API key must not leak.
integration: collection ansible-test-cache system-packages
	tests/utils/integration.sh $(COLLECTION)

# The built tarball installed into an empty directory: ansible-doc for every plugin and
# role it holds, its execution-environment metadata and its example playbook.
release-check: collection
	tests/utils/release-check.sh $(COLLECTION)

build-check: release-check

# ansible-lint, ruff, mypy, antsibull-docs and antsibull-changelog, from .venv-lint.
lint: collection
	tests/utils/lint.sh $(COLLECTION)

docs: collection
	tests/utils/docs.sh $(COLLECTION) $(abspath $(BUILD))/docsite

changelog: collection
	tests/utils/docs.sh changelog $(COLLECTION) $(abspath CHANGELOG.md)

# The newest ansible-core on Python 3.12 from .venv-2.21; skipped without Python 3.12.
matrix: collection ansible-test-cache system-packages
	tests/utils/matrix.sh

# The collection against ansible.builtin.uri and the url lookup; see docs/performance.md.
# Not part of make test, which runs the same script on tiny counts (bench-smoke).
bench: collection system-packages
	tests/bench/bench.sh $(COLLECTION) $(abspath $(BUILD))/bench

bench-smoke: collection system-packages
	tests/bench/bench.sh $(COLLECTION) $(abspath $(BUILD))/bench-smoke --preset smoke

test: venv system-packages
	tests/utils/run-checks.sh lint sanity units integration release-check docs matrix bench-smoke

# The demo needs nginx only, not the checks' shellcheck and Chromium.
demo: collection
	tests/utils/system-packages.sh nginx
	tests/utils/demo.sh $(COLLECTION)
	tests/utils/demo-role.sh

clean:
	rm -rf $(VENV) .venv-lint .venv-2.21 .venv-bench $(BUILD) tests/output
