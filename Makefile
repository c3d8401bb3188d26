# Two commands a newcomer needs: `make demo` and `make test`. Both set up .venv first.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-long gui screenshots bench lint clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m siteapp.demo

# Debian packages by group (installers/install-system-packages.sh): only missing ones.
SYSTEM_PACKAGES := sh installers/install-system-packages.sh

test: $(STAMP)
	$(SYSTEM_PACKAGES) gui services
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

test-long: $(STAMP)
	$(SYSTEM_PACKAGES) gui services packaging
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m long

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check siteapp coordinator tests benchmarks installers
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist *.egg-info

# --- installers (installers/README.md): built artefacts go to dist/, scratch to build/ ---
PYINSTALLER := $(BIN)/python -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller

.PHONY: coordinator-binary siteapp-bundle deb installer-test-tools

coordinator-binary: $(STAMP)
	$(PYINSTALLER) installers/coordinator/medfed-coordinator.spec
	@ls -l dist/medfed-coordinator

siteapp-bundle: $(STAMP)
	$(PYINSTALLER) installers/siteapp/medfed-site.spec
	@du -sh dist/medfed-site

deb: siteapp-bundle
	$(BIN)/python installers/siteapp/linux/build_deb.py --bundle dist/medfed-site --out dist

# Xvfb, xdotool and the app's runtime libraries for the packaging tests (apt-get, root).
installer-test-tools:
	$(SYSTEM_PACKAGES) gui packaging

# --- site app (Qt) -------------------------------------------------------------------
.PHONY: translations
UI_SOURCES = $(shell find siteapp/ui -name '*.py' | sort)
TRANSLATIONS = resources/translations

# After `make demo`, open its first hospital (enrolled in the demo federation); before it,
# a stand-alone demo site of phantom studies.
DEMO_SITE := demo-run/site-1
gui: $(STAMP)
	$(SYSTEM_PACKAGES) gui
	if [ -f $(DEMO_SITE)/site.sqlite ]; then \
		$(BIN)/medfed-site --data-dir $(DEMO_SITE) gui; \
	else \
		$(BIN)/medfed-site --data-dir build/gui-demo gui --demo; \
	fi

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m siteapp.ui.screenshots --out docs/screenshots --workspace build/screenshot-demo
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m siteapp.ui.screenshots --out docs/screenshots/zh_CN --workspace build/screenshot-demo --language zh_CN

translations: $(STAMP)
	$(BIN)/pyside6-lupdate -no-obsolete -source-language en -target-language zh_CN $(UI_SOURCES) -ts $(TRANSLATIONS)/medfed_zh_CN.ts
	$(BIN)/pyside6-lupdate -no-obsolete -source-language en -target-language en $(UI_SOURCES) -ts $(TRANSLATIONS)/medfed_en.ts
	$(BIN)/pyside6-lrelease $(TRANSLATIONS)/medfed_zh_CN.ts $(TRANSLATIONS)/medfed_en.ts

# --- transfer learning: the task's backbone pretrained on a PUBLIC phantom cohort ---------
.PHONY: pretrained
pretrained: $(STAMP)
	$(BIN)/medfed-site pretrain-public --task lung-ct-nodule --out resources/models/lung-ct-nodule-public.safetensors
	$(BIN)/medfed-site pretrain-public --task mammo-mass --patients 160 --out resources/models/mammo-mass-public.safetensors
	$(BIN)/medfed-site pretrain-public --task chest-xray --patients 240 --out resources/models/chest-xray-public.safetensors
