# Sozialraum — set-up, tests, demo, packaging.
#   make demo     set everything up and run the main job on the bundled Musterstadt data
#   make test     set everything up and run every test headless
#   make a11y-tools  this machine only: Chromium and axe-core for the accessibility check of the HTML outputs
# Works on Debian 12 (QGIS 3.22) and Debian 13 (newer QGIS). Needs root or sudo for the Debian packages.

SHELL := /bin/bash
VENV ?= .venv
PYTHON := $(VENV)/bin/python
PLUGIN := sozialraum
VERSION := $(shell sed -n 's/^version=//p' metadata.txt)
DIST := dist
# postgresql-postgis is provided by the suite's postgresql-NN-postgis-3 (tests start a throwaway PostGIS server)
APT_PACKAGES := python3-qgis qgis-providers qgis xvfb poppler-utils python3-venv python3-pip \
                python3-numpy python3-pandas python3-jinja2 python3-openpyxl postgresql postgresql-postgis
# The accessibility check (tests/qgis/test_accessibility.py) runs axe-core in Debian's Chromium. Both stay out of
# APT_PACKAGES, which the QGIS chroots install (.ci/qgis-chroot.sh): there the check skips. `make a11y-tools`
# installs them on this machine (.ci/run does); `make setup` fetches axe-core wherever npm is there.
A11Y_APT_PACKAGES := chromium npm
AXE_VERSION := 4.14.1
AXE_DIR := .cache/axe-core
HEADLESS := QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=/tmp/runtime-$$(id -u)
PYTEST_ARGS ?=

.PHONY: setup apt-packages print-apt-packages a11y-tools axe-core test test-unit test-trixie test-sid test-all-qgis \
        demo package install bench bench-index bench-coverage bench-report bench-postgis bench-decision clean

setup: apt-packages $(VENV)/.installed axe-core

apt-packages:
	@missing=$$(provided=$$(dpkg-query -W -f='$${Status}|$${Provides}\n' 2>/dev/null \
	        | sed -n 's/^install ok installed|//p' | tr ',' '\n' | sed 's/ *(.*//; s/^ *//'); \
	    for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
	        || printf '%s\n' "$$provided" | grep -qx -- "$$p" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:" $$missing; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: requirements-dev.txt
	@test -x $(PYTHON) || /usr/bin/python3 -m venv --system-site-packages $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# axe-core from the npm registry, pinned, into an ignored folder (no network when the tests run)
axe-core:
	@if [ -f $(AXE_DIR)/installed-$(AXE_VERSION) ]; then :; \
	elif command -v npm >/dev/null; then \
	    rm -rf $(AXE_DIR) && npm install --prefix $(AXE_DIR) --no-save --no-package-lock --ignore-scripts --no-audit \
	        --no-fund --loglevel=error axe-core@$(AXE_VERSION) && touch $(AXE_DIR)/installed-$(AXE_VERSION); \
	else echo "npm not found: the accessibility check will skip (make a11y-tools installs what it needs)"; fi

a11y-tools:
	@$(MAKE) --no-print-directory apt-packages APT_PACKAGES="$(A11Y_APT_PACKAGES)"
	@$(MAKE) --no-print-directory axe-core

test: setup
	@mkdir -p /tmp/runtime-$$(id -u) && chmod 700 /tmp/runtime-$$(id -u)
	$(HEADLESS) $(PYTHON) -m pytest $(PYTEST_ARGS)

# The same tests on the QGIS of other Debian suites, in a chroot built with debootstrap (root needed;
# see .ci/qgis-chroot.sh): trixie = QGIS 3.40 LTR, sid = the newest QGIS Debian carries.
test-trixie:
	.ci/qgis-chroot.sh trixie test

test-sid:
	.ci/qgis-chroot.sh sid test

test-all-qgis: test test-trixie test-sid

print-apt-packages:
	@echo $(APT_PACKAGES)

test-unit: setup
	$(HEADLESS) $(PYTHON) -m pytest -p no:pytest_qgis tests/unit $(PYTEST_ARGS)

demo: setup
	@mkdir -p /tmp/runtime-$$(id -u) && chmod 700 /tmp/runtime-$$(id -u)
	$(HEADLESS) $(PYTHON) resources/demo/run_demo.py --output demo-output

package:
	@rm -rf $(DIST)/$(PLUGIN) && mkdir -p $(DIST)/$(PLUGIN)
	git archive --format=tar HEAD metadata.txt __init__.py plugin.py dependencies.py LICENSE README.md CHANGELOG.md \
	    sozialraum ui resources | tar -x -C $(DIST)/$(PLUGIN)
	@find $(DIST)/$(PLUGIN) -name '__pycache__' -prune -exec rm -rf {} +
	cd $(DIST) && rm -f $(PLUGIN)-$(VERSION).zip && python3 -m zipfile -c $(PLUGIN)-$(VERSION).zip $(PLUGIN)
	@echo "Plugin zip: $(DIST)/$(PLUGIN)-$(VERSION).zip (QGIS: Erweiterungen > Aus ZIP installieren)"

# The user's default QGIS profile; override with QGIS_PROFILE_DIR=...
QGIS_PROFILE_DIR ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default
install: package
	@mkdir -p $(QGIS_PROFILE_DIR)/python/plugins
	rm -rf $(QGIS_PROFILE_DIR)/python/plugins/$(PLUGIN)
	cp -r $(DIST)/$(PLUGIN) $(QGIS_PROFILE_DIR)/python/plugins/$(PLUGIN)
	@echo "Installed into $(QGIS_PROFILE_DIR)/python/plugins/$(PLUGIN); enable it in QGIS under Erweiterungen."

# Benchmarks (see bench/README*.md); they take minutes to most of an hour and are not part of `make test`.
bench: bench-index bench-coverage bench-report bench-postgis bench-decision

bench-index: setup
	$(HEADLESS) $(PYTHON) bench/bench_districtindex.py

bench-coverage: setup
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r bench/requirements-bench.txt
	$(HEADLESS) $(PYTHON) bench/bench_coverage.py

bench-report: setup
	$(HEADLESS) $(PYTHON) bench/bench_report.py

bench-postgis: setup
	$(HEADLESS) $(PYTHON) bench/bench_postgis.py

bench-decision: setup
	$(HEADLESS) $(PYTHON) bench/bench_decision.py

clean:
	rm -rf $(DIST) demo-output .pytest_cache
