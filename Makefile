# Postern: two commands do everything on a fresh Debian 12 machine.
#   make run    install what is missing, build (the web UI too), start the
#               gateway (embedded defaults)
#   make test   install what is missing, build with ASan + UBSan and the web UI,
#               run every test (the UI's unit and browser tests too)
#   make bench  release build, run the benchmarks, regenerate BENCHMARKS.md
#               from their results (bench/results/*.json)
#   make fuzz   clang build of tests/fuzz, each target run FUZZ_SECONDS (30)

RELEASE_DIR := build/release
ASAN_DIR    := build/asan
JOBS        ?= $(shell nproc)
CONFIG      ?=
FUZZ_SECONDS ?= 30
ARGS        ?= $(if $(CONFIG),--config $(CONFIG),)

.PHONY: all bootstrap release asan ui run test lint format bench bench-report fuzz clean

all: release

bootstrap:
	@scripts/bootstrap.sh

$(RELEASE_DIR)/build.ninja:
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release

$(ASAN_DIR)/build.ninja:
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPOSTERN_SANITIZE=ON -DPOSTERN_WERROR=ON

release: bootstrap $(RELEASE_DIR)/build.ninja
	ninja -C $(RELEASE_DIR) -j $(JOBS) postern postern-sim

asan: bootstrap $(ASAN_DIR)/build.ninja
	ninja -C $(ASAN_DIR) -j $(JOBS)

# The web UI (web/ -> web/dist, docs/ui.md), rebuilt only when stale. The
# gateway serves web/dist (http.ui_dir) from the folder make runs in.
ui: bootstrap
	scripts/web-build.sh

run: release ui
	$(RELEASE_DIR)/bin/postern serve $(ARGS)

test: lint asan ui
	cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

# The tree is kept formatted by .clang-format: lint fails on any file that
# `make format` would change. docs/openapi.yaml must be valid OpenAPI 3.1 and
# pass its lint rules.
lint: bootstrap
	scripts/lint.sh
	scripts/openapi-lint.sh

format: bootstrap
	scripts/lint.sh --fix

bench: bootstrap $(RELEASE_DIR)/build.ninja
	ninja -C $(RELEASE_DIR) -j $(JOBS) postern postern-sim store_intake message_search message_search
	bench/run_all.sh $(RELEASE_DIR)

# BENCHMARKS.md rendered again from bench/results/*.json, nothing measured.
bench-report:
	/usr/bin/python3 bench/render.py

fuzz: bootstrap
	JOBS=$(JOBS) scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf build
