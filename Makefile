# Build the web book and the printable leaflets from the MyST pages in docs/.
# Run `make help` for the list of targets. Variables can be overridden:
#   make html SPHINXOPTS="-j auto"   make LANGUAGE=es

PYTHON      ?= python3
VENVDIR     ?= .venv
VENVPY      := $(VENVDIR)/bin/python
SOURCEDIR   := docs
BUILDDIR    ?= _build
SPHINXOPTS  ?=
LANGUAGE    ?= en
# What a build reads: the pages and the project's own code. The book and the
# default leaflets are built again only when one of these changed.
BOOK_INPUTS := $(shell find $(SOURCEDIR) scripts/calcinosis_guide -type f -not -path '*/_build/*' -not -path '*/__pycache__/*' -not -name '.*')
BUILT       := $(BUILDDIR)/.built-$(LANGUAGE)
# The options the last build of LANGUAGE had (see its rule below).
OPTIONS     := $(BUILDDIR)/.sphinxopts-$(LANGUAGE)

# Python may keep compiled copies of the project's own modules (in
# __pycache__ folders, ignored by git); a shell that forbids it would make
# every build compile the package from source again.
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := all
.PHONY: all help venv html leaflet check audit bench test serve clean gettext update-po site verify translations FORCE

all: $(BUILT)  ## Build the book and the default leaflets (the default target)

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENVDIR)/.installed: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "No '$(PYTHON)' found: install Python 3.11 or newer, or set PYTHON=/path/to/python3.11." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "This project needs Python 3.11 or newer; found " + sys.version.split()[0] + ". Set PYTHON=/path/to/python3.11.")'
	$(PYTHON) -m venv $(VENVDIR)
	$(VENVPY) -m pip install --quiet --require-hashes -r requirements.lock
	$(VENVPY) -m pip install --quiet --no-deps --no-build-isolation --editable .
	touch $@

venv: $(VENVDIR)/.installed  ## Create .venv from the lock file

# One process builds the book, renders the leaflets whose inputs changed and
# warns when the content review is due; the stamp is touched only after a
# clean build, so a failed one is retried. scripts/build_book.py runs Sphinx
# with warnings as errors, nitpicky references and --keep-going, so every
# problem shows in one pass.
# node_modules: the leaflet maker page ships pdf-lib and its fontkit from there.
$(BUILT): $(BOOK_INPUTS) $(OPTIONS) $(VENVDIR)/.installed node_modules/.installed
	$(VENVPY) scripts/build_book.py --leaflets --source $(SOURCEDIR) --build-dir $(BUILDDIR) --language $(LANGUAGE) -- $(SPHINXOPTS)
	@touch $@

html: venv node_modules/.installed  ## Build the web book only into _build/html (a failed build keeps the last good one)
	$(VENVPY) scripts/build_book.py --source $(SOURCEDIR) --build-dir $(BUILDDIR) --language $(LANGUAGE) -- $(SPHINXOPTS)

# Looked at on every make, rewritten only when the options change: `make
# SPHINXOPTS=...` builds again, a second `make` with the same ones does not.
$(OPTIONS): FORCE
	@mkdir -p $(@D); printf '%s\n' "$(SPHINXOPTS)" | cmp -s - $@ || printf '%s\n' "$(SPHINXOPTS)" > $@

FORCE:

leaflet: $(BUILT)  ## Build the default leaflets (A4 and Letter, standard and large print, each also fillable) into _build/leaflet

# The checks run inside the build; this builds strictly (incrementally) once
# more with a past review date made an error, and prints the readability table.
# In a translation, also the completeness gate: no entry untranslated, fuzzy or
# obsolete, and none of the templates' texts missing from the catalogs.
check: venv node_modules/.installed  ## Content checks: readability, glossary links, lists, evidence, review dates, spelling, safety (and, for LANGUAGE=xx, every entry translated)
	$(VENVPY) scripts/check_content.py --source $(SOURCEDIR) --build-dir $(BUILDDIR) --language $(LANGUAGE) -- $(SPHINXOPTS)
	@if [ "$(LANGUAGE)" != en ]; then \
	  $(MAKE) --no-print-directory gettext >/dev/null && \
	  $(VENVPY) -m calcinosis_guide.catalogs --source $(SOURCEDIR) gaps $(LANGUAGE) --gettext-dir $(BUILDDIR)/gettext; fi

# Every language with a catalog (docs/locales/*/LC_MESSAGES), each built as
# `make LANGUAGE=xx` would, then put side by side in _build/site/ with a root page.
site: venv  ## Build the book and leaflets in every catalogued language and assemble _build/site/ for hosting
	@for lang in $$($(VENVPY) -m calcinosis_guide.site --source $(SOURCEDIR) --languages); do \
	  $(MAKE) --no-print-directory $(BUILDDIR)/.built-$$lang LANGUAGE=$$lang || exit $$?; done
	$(VENVPY) -m calcinosis_guide.site --source $(SOURCEDIR) --build-dir $(BUILDDIR)

# Every edition: the four defaults, their fillable editions and the example clinic's (SVG logo) on both
# papers, standard and large print; veraPDF checks them all in one JVM run.
VERIFYDIR   := $(BUILDDIR)/verify
verify: $(BUILT)  ## PDF/UA-1 check (veraPDF) of every edition, with and without a clinic (needs a JDK and libjaxb-java)
	@mkdir -p $(VERIFYDIR)
	$(VENVPY) scripts/build_leaflet.py --build-dir $(BUILDDIR) --clinic scripts/example-clinic/clinic.toml --paper a4 --output $(VERIFYDIR)/clinic-a4.pdf
	$(VENVPY) scripts/build_leaflet.py --build-dir $(BUILDDIR) --clinic scripts/example-clinic/clinic.toml --paper letter --output $(VERIFYDIR)/clinic-letter.pdf
	$(VENVPY) scripts/build_leaflet.py --build-dir $(BUILDDIR) --clinic scripts/example-clinic/clinic.toml --paper a4 --large-print --output $(VERIFYDIR)/clinic-a4-large-print.pdf
	$(VENVPY) scripts/build_leaflet.py --build-dir $(BUILDDIR) --clinic scripts/example-clinic/clinic.toml --paper letter --large-print --output $(VERIFYDIR)/clinic-letter-large-print.pdf
	$(VENVPY) -m calcinosis_guide.verapdf --build-dir $(BUILDDIR) $(BUILDDIR)/leaflet/calcinosis-leaflet-$(LANGUAGE)-*.pdf $(VERIFYDIR)/clinic-*.pdf

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

audit: all node_modules/.installed  ## Benchmark: Lighthouse and page weight for every page (writes _build/audit/)
	$(VENVPY) scripts/audit_web.py --build-dir $(BUILDDIR)

bench: all  ## Benchmark: build times, the leaflet's stages against WeasyPrint alone, batches, memory (writes _build/bench/)
	$(VENVPY) scripts/bench.py --build-dir $(BUILDDIR)

translations: venv  ## Every catalogued translation built with its leaflets and checked (every entry translated, page counts, readability)
	@for lang in $$($(VENVPY) -m calcinosis_guide.site --source $(SOURCEDIR) --languages); do \
	  [ "$$lang" = en ] || $(MAKE) --no-print-directory all check LANGUAGE=$$lang || exit $$?; done

# The translations too: a change to English text needs its translation in the same change.
test: all check translations node_modules/.installed  ## Run the test suite (browser tests included), on the book `make` built
	CALCINOSIS_BUILT_BOOK=$(BUILDDIR) $(VENVPY) -m pytest -n auto --dist loadfile

# The pages' templates (leaflet headings included), the labels' (calcinosis.pot:
# the package's labels and the book's title, subtitle and publisher) and the
# theme components' (sphinx.pot), all in _build/gettext for sphinx-intl.
# Made again only when the pages, templates or package changed, not for a
# catalog's edit (a translation's `make check` reads them). A file deleted
# or moved in with an old time is not seen: `make clean` then.
GETTEXT     := $(BUILDDIR)/gettext/.made
gettext: $(GETTEXT)  ## Extract text to translate: every template to _build/gettext (labels also to docs/locales/calcinosis.pot)

$(GETTEXT): $(filter-out %.po,$(BOOK_INPUTS)) $(VENVDIR)/.installed
	rm -rf $(BUILDDIR)/gettext
	$(VENVPY) -m sphinx -b gettext -q -W --keep-going $(SOURCEDIR) $(BUILDDIR)/gettext
	$(VENVPY) -m calcinosis_guide.catalogs --source $(SOURCEDIR) templates --gettext-dir $(BUILDDIR)/gettext
	@touch $@

update-po: gettext  ## Make or refresh every catalog of LANGUAGE (docs/locales/LANGUAGE/LC_MESSAGES/*.po) from the templates
	$(VENVPY) -m calcinosis_guide.catalogs --source $(SOURCEDIR) language $(LANGUAGE)
	$(VENVDIR)/bin/sphinx-intl update -p $(BUILDDIR)/gettext -d $(SOURCEDIR)/locales -l $(LANGUAGE) -w 0 -j 1

serve: venv node_modules/.installed  ## Live preview of the book at http://127.0.0.1:8000 (in _build/serve: the built book is not touched)
	$(VENVPY) -m sphinx_autobuild -b html -n $(SPHINXOPTS) -d $(BUILDDIR)/serve/doctrees $(SOURCEDIR) $(BUILDDIR)/serve/html

clean:  ## Remove everything built (keeps .venv)
	rm -rf $(BUILDDIR)
