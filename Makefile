# The two commands: `make run` and `make test`. Both set up .venv first.
# `make test-openstack` runs the real-OpenStack tier (also run by .ci/run).
# PYTHON is the interpreter (3.11, 3.12 or 3.13) and VENV its environment, one per version:
#   make test PYTHON=python3.12 VENV=.venv-3.12
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-openstack faults lint venv clean prometheus chromium openstack-venv netns-tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

## Run API (127.0.0.1:9322), worker and beat on the embedded defaults; Ctrl-C stops all.
run: $(STAMP)
	$(BIN)/watcher-celery dev

FAULT_SUITE := tests/integration/reliability/test_fault_suite.py tests/integration/reliability/test_load.py \
	tests/integration/reliability/test_several_hosts.py

## Prometheus and Chromium (Debian), lint, then the whole suite but the fault-injection one and the
## real-OpenStack tier (PostgreSQL and Redis on 127.0.0.1, see .ci/run).
test: $(STAMP) prometheus chromium lint
	$(BIN)/python -m pytest -p no:cacheprovider --ignore=tests/realcloud $(addprefix --ignore=,$(FAULT_SUITE))

## Fault injection, each fault WATCHER_FAULT_TRIALS times (default 3), then load figures; the
## counts are printed at the end (docs/reliability.md). Needs RabbitMQ too.
faults: $(STAMP) netns-tools
	$(BIN)/python -m pytest -p no:cacheprovider $(FAULT_SUITE)

## The real-OpenStack tier: Keystone, Placement and Nova from PyPI (.venv-openstack), started by
## the tests on MariaDB and RabbitMQ at 127.0.0.1 (plus PostgreSQL and Redis for the service).
test-openstack: $(STAMP) $(OS_STAMP) prometheus
	$(BIN)/python -m pytest -p no:cacheprovider tests/realcloud

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## ip (iproute2) and unshare (util-linux) for the several-hosts fault test (network namespaces).
netns-tools:
	@command -v ip >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 util-linux; }

## Debian's Prometheus, for the datasource tests (idempotent; needs root, as CI has).
prometheus:
	@command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus; }

## Debian's Chromium, for the dashboard's browser tests (Playwright drives it; nothing is
## downloaded at run time). Idempotent; needs root, as CI has.
chromium:
	@command -v chromium >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## The real-OpenStack tier's own venv (Keystone, Placement, Nova from PyPI, pinned), apart from
## .venv because Nova pins its own dependencies. The tier's fixtures run this target themselves.
OS_VENV := .venv-openstack
OS_STAMP := $(OS_VENV)/.installed
OS_REQUIREMENTS := harness/realcloud/requirements.txt
OS_DRIVER := harness/realcloud/nova_virt/sized_fake.py

# Nova loads compute_driver as nova.virt.<name>: the tier's fake driver goes into that package.
$(OS_STAMP): $(OS_REQUIREMENTS) $(OS_DRIVER)
	$(PYTHON) -m venv $(OS_VENV)
	$(OS_VENV)/bin/pip install --quiet --upgrade pip
	$(OS_VENV)/bin/pip install --quiet -r $(OS_REQUIREMENTS)
	cp $(OS_DRIVER) $$($(OS_VENV)/bin/python -c 'import nova.virt, os; print(os.path.dirname(nova.virt.__file__))')/
	touch $(OS_STAMP)

openstack-venv: $(OS_STAMP)

clean:
	rm -rf $(VENV) .venv-3.* $(OS_VENV) var
