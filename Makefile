# Tribune — the two commands: `make run` and `make test`. Everything installs what it needs first.
SHELL := /bin/bash
PRESET ?= release
BUILD_DIR := build/$(PRESET)
DATA ?= var/demo
LISTEN ?= 127.0.0.1:8080
JOBS ?= $(shell nproc)

.PHONY: deps build run test unit integration e2e bench asan fuzz clean

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

test: unit integration e2e

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
