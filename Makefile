# Tribune — the two commands: `make run` and `make test`. Everything installs what it needs first.
# `make test` runs the unit, integration and browser suites on SQLite, then (`make pg`) the unit and integration
# suites again on PostgreSQL, in a throw-away cluster (scripts/pg-test-cluster), when PostgreSQL is installed.
SHELL := /bin/bash
PRESET ?= release
BUILD_DIR := build/$(PRESET)
DATA ?= var/demo
LISTEN ?= 127.0.0.1:8080
JOBS ?= $(shell nproc)

.PHONY: deps build run test unit integration e2e pg pg-cluster pg-unit pg-integration bench asan fuzz clean

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja: CMakeLists.txt CMakePresets.json
	cmake --preset $(PRESET) >/dev/null

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)
	@if [ "$(PRESET)" = release ]; then mkdir -p build && ln -sf release/tribune build/tribune && echo "built build/tribune"; fi

run: build
	@build/tribune demo seed --data $(DATA)
	@echo "Site: http://$(LISTEN)/ (editions /fr/ and /ru/; API: http://$(LISTEN)/api/v1/articles)"
	@echo "Sign in at http://$(LISTEN)/login as admin@example.org with the password above (also in $(DATA)/admin-password.txt);"
	@echo "the moderators' console is then at http://$(LISTEN)/moderation."
	@echo "Mails (confirmation, recovery, restore links) are written to var/mail/*.eml unless TRIBUNE_MAIL_SMTP_URL is set."
	@TRIBUNE_SITE_EDITIONS=$${TRIBUNE_SITE_EDITIONS:-en,fr,ru} TRIBUNE_MAIL_SPOOL_DIR=$${TRIBUNE_MAIL_SPOOL_DIR:-var/mail} \
	  build/tribune serve --data $(DATA) --listen $(LISTEN)

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

integration: build
	TRIBUNE_BIN=$(CURDIR)/build/tribune node --test --test-concurrency=1 tests/integration/

# Real Chromium (Debian's) through playwright-core; screenshots land in build/screenshots/.
e2e: build
	TRIBUNE_BIN=$(CURDIR)/build/tribune node --test --test-concurrency=1 tests/e2e/

# The PostgreSQL runs are skipped (not failed) only when no PostgreSQL server is installed (pg-test-cluster exits 3)
# and this is not CI.
test: unit integration e2e
	@if [ -n "$(TRIBUNE_TEST_POSTGRES)" ]; then $(MAKE) --no-print-directory pg; exit; fi; \
	rc=0; scripts/pg-test-cluster start || rc=$$?; \
	if [ $$rc -eq 3 ] && [ "$$CI" = true ]; then echo "CI: PostgreSQL must be installed (scripts/install-deps)" >&2; exit 3; \
	elif [ $$rc -eq 3 ]; then echo "PostgreSQL not installed: skipping the PostgreSQL runs"; \
	elif [ $$rc -ne 0 ]; then echo "scripts/pg-test-cluster start failed (exit $$rc)" >&2; exit $$rc; \
	else $(MAKE) --no-print-directory pg; fi

# The unit (storage) and integration suites once more on PostgreSQL. TRIBUNE_TEST_POSTGRES is the URL of a role
# that may CREATE DATABASE (the harness makes a database per data directory and drops it at exit); by default the
# throw-away cluster of scripts/pg-test-cluster, started here and left running for the next run
# (`scripts/pg-test-cluster stop` deletes it). Every other target runs on SQLite, whatever the environment says.
unexport TRIBUNE_TEST_POSTGRES
PG_URL = $(or $(TRIBUNE_TEST_POSTGRES),$$($(CURDIR)/scripts/pg-test-cluster url))

pg: pg-unit pg-integration

pg-cluster:
	@$(if $(TRIBUNE_TEST_POSTGRES),true,scripts/pg-test-cluster start)

pg-unit: build pg-cluster
	cd $(BUILD_DIR) && TRIBUNE_TEST_POSTGRES="$(PG_URL)" ctest --output-on-failure -j $(JOBS) -L unit

pg-integration: build pg-cluster
	TRIBUNE_TEST_POSTGRES="$(PG_URL)" TRIBUNE_BIN=$(CURDIR)/build/tribune node --test --test-concurrency=1 tests/integration/

bench: build
	bench/run

# Units and the integration suite on an AddressSanitizer + UBSan build (the harness fails a test
# whose server printed a sanitizer report).
asan:
	$(MAKE) unit PRESET=asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  TRIBUNE_BIN=$(CURDIR)/build/asan/tribune node --test --test-concurrency=1 tests/integration/

# libFuzzer + ASan + UBSan (fuzz/README.md): builds the `fuzz` preset, then runs each fuzzer for FUZZ_SECONDS
# (-max_len=65536, -rss_limit_mb=4096) on a copy of fuzz/corpus under build/fuzz-run/, one summary line per
# target. Findings are kept as fuzz/crashes/<target>-<sha1>. FUZZ_TARGETS picks targets.
FUZZ_SECONDS ?= 60
fuzz: deps
	@command -v clang++ >/dev/null || { echo "make fuzz needs clang++ with libFuzzer (Debian: clang, libclang-rt-dev)" >&2; exit 1; }
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run

clean:
	rm -rf build
