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

.PHONY: help demo test sanity units integration build-check collection venv system-packages clean

help:
	@echo "make demo         run the demo playbook against the local Palette emulator"
	@echo "make test         run every check (sanity, units, integration, build)"
	@echo "make sanity|units|integration|build-check   one check (integration includes"
	@echo "                  the -vvvv leak check)"
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
	mkdir -p $(GET_PIP_CACHE)
	for version in 24_2 25_2; do \
		[ -e $(GET_PIP_CACHE)/get_pip_$$version.py ] \
			|| cp tests/utils/get_pip_offline.py $(GET_PIP_CACHE)/get_pip_$$version.py; \
	done

system-packages:
	tests/utils/system-packages.sh

sanity: collection system-packages
	$(ANSIBLE_TEST) sanity $(TEST_FLAGS)

units: collection
	$(ANSIBLE_TEST) units $(TEST_FLAGS) --requirements

# One run at -vvvv serves both: the targets must pass and the API key must not leak.
integration: collection system-packages
	tests/utils/integration.sh $(COLLECTION)

build-check: collection
	tests/utils/build-check.sh $(COLLECTION)

test: venv system-packages
	tests/utils/run-checks.sh sanity units integration build-check

demo: collection system-packages
	tests/utils/demo.sh $(COLLECTION)
	tests/utils/demo-role.sh $(COLLECTION)

clean:
	rm -rf $(VENV) $(BUILD) tests/output
