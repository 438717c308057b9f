# consortium-sim: two set-up commands, `make run` and `make test`.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# First Python >= 3.12 found: python3.13, python3.12, python3, then pyenv-installed versions.
PYTHON_BASE := $(shell for c in python3.13 python3.12 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	    echo $$c; break; fi; done)

.PHONY: run test browser bench fuzz lint clean python params knockouts sensitivity outcomes validation reports notebooks

python:
	@if [ -z "$(PYTHON_BASE)" ]; then \
	  echo "consortium-sim needs Python 3.12 or newer, and none was found (tried python3.13, python3.12, python3 and pyenv versions)."; \
	  exit 1; fi

$(STAMP): pyproject.toml setup.py $(wildcard agents/*.pyx agents/*.pxd sim/*.pyx) | python
	@test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/consortium run ccpt_baseline --replicates 30 --seed 20140701 --out out --overwrite

# Debian's chromium, which the browser tests drive through Playwright (tests/browser.py);
# Playwright's own browser downloads are never used. Installs it with apt when missing.
browser:
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	else echo "The browser tests need Debian's chromium, which is not installed, and installing it"; \
	  echo "needs root or sudo. Install it by hand: apt-get install chromium"; exit 1; fi; \
	echo "Installing Debian's chromium for the browser tests (apt-get)..."; \
	$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
	  || { echo "Could not install Debian's chromium with apt-get; the browser tests need it (apt-get install chromium)."; exit 1; }; \
	command -v chromium >/dev/null 2>&1 || { echo "apt-get finished but no chromium is on PATH."; exit 1; }

test: $(STAMP) browser
	$(VENV)/bin/ruff check sim agents viz experiments validation app cli tests benchmarks docs tools
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/bench_model.py
	$(PY) benchmarks/bench_sweep.py
	$(PY) benchmarks/bench_compare.py
	$(PY) benchmarks/bench_cohort.py
	$(PY) benchmarks/bench_workshop.py

# Property-based fuzzing of scenario, study, design and cohort files and --set values, with
# 5,000 examples per test where `make test` runs 40 (tests/test_fuzz.py).
fuzz: $(STAMP)
	FUZZ_EXAMPLES=5000 $(PY) -m pytest tests/test_fuzz.py --hypothesis-show-statistics

lint: $(STAMP)
	$(VENV)/bin/ruff check sim agents viz experiments validation app cli tests benchmarks docs tools

# After changing sim/params.py: regenerate the compiled parameter mirror and the ODD tables,
# then rebuild the compiled modules.
params: $(STAMP)
	$(PY) tools/gen_params.py
	$(PY) docs/gen_parameter_table.py
	$(PY) -m pip install --quiet -e '.[dev]'

# Knock out every mechanism against ccpt_baseline on the same seeds: docs/knockouts.md,
# docs/knockouts.csv and docs/img/knockouts.png (about ten minutes on two cores).
knockouts: $(STAMP)
	$(PY) docs/gen_knockouts.py

# Morris screening of every parameter, then Sobol' indices of the leading factors, into
# out/sensitivity/; writes docs/sensitivity.md and docs/img/sensitivity_*.png. An interrupted
# run resumes. `python docs/gen_sensitivity.py --quick` is a smoke run of the same pipeline.
sensitivity: $(STAMP)
	$(PY) docs/gen_sensitivity.py

# Who sustains, by award tier, across the Cohort 1 mix and under five funding designs:
# docs/outcomes.md and docs/img/outcomes_*.png (about three minutes on two cores).
outcomes: $(STAMP)
	$(PY) docs/gen_outcomes.py

# The full pattern suite (N = 300 per arm): docs/validation_report.md (about six minutes).
validation: $(STAMP)
	$(VENV)/bin/consortium validate --out out/validation
	cp out/validation/validation_report.md docs/validation_report.md

# Execute both notebooks of notebooks/ at their full sizes and save the outputs into them,
# which is how they are committed (about two minutes on two cores). `jupyter execute` is
# nbclient's, of the dev extra; each notebook runs in its own folder. Phony, because the
# folder notebooks/ exists.
notebooks: $(STAMP)
	$(VENV)/bin/jupyter execute --inplace --timeout=900 notebooks/sensitivity_study.ipynb notebooks/compare_funding_designs.ipynb

# Every generated report of docs/ that the model's results feed, in order (about 45 minutes
# on two cores); the calibration reports are rerun by the commands of experiments/studies/.
reports: outcomes validation knockouts sensitivity
	$(PY) docs/gen_data_use.py
	$(VENV)/bin/consortium run ccpt_baseline --replicates 30 --seed 20140701 --out out --overwrite
	cp out/ccpt_baseline_trajectories.png docs/img/ccpt_baseline_trajectories.png

clean:
	rm -rf $(VENV) out .pytest_cache
