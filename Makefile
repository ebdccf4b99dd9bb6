# mod_semguard: build, run and test. `make help` lists the targets.

BUILD      := build
APXS       ?= apxs
CXX        ?= g++
CC_MOD     ?= gcc

# httpd and APR flags, asked of apxs (evaluated only when a target needs them).
APXS_CFLAGS = $(shell $(APXS) -q CFLAGS) $(shell $(APXS) -q EXTRA_CPPFLAGS) \
              -I$(shell $(APXS) -q INCLUDEDIR) \
              $(shell $$($(APXS) -q APR_CONFIG) --includes --cppflags)

WARNINGS   := -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -Werror
# C++17: the floor is GCC 8 (RHEL 8), so no C++20 library or language features in the core.
CXXSTD     := -std=c++17
CXXFLAGS   := $(CXXSTD) -O2 -g -fPIC -fvisibility=hidden -fvisibility-inlines-hidden $(WARNINGS)
# -MMD -MP: each object depends on exactly the headers it includes (build/**/*.d).
DEPFLAGS    = -MMD -MP
MOD_CFLAGS  = $(APXS_CFLAGS) -fPIC -Wall -Wextra -Werror -Wno-unused-parameter

CORE_SRCS  := $(shell find src -name '*.cc' | sort)
CORE_OBJS  := $(patsubst src/%.cc,$(BUILD)/core/%.o,$(CORE_SRCS))
CORE_LIB   := $(BUILD)/libsemguard_core.a
MODULE     := $(BUILD)/mod_semguard.so
# The DSO exports one symbol, the module record; everything else stays inside.
EXPORTS    := $(BUILD)/mod_semguard.exports
# What apxs answered last: the glue and the module rebuild when APXS (or its answers) change.
APXS_STAMP := $(BUILD)/apxs.stamp

UNIT_SRCS  := $(shell find tests/unit -name '*.cc' | sort)
UNIT_OBJS  := $(patsubst tests/unit/%.cc,$(BUILD)/unit/%.o,$(UNIT_SRCS))
UNIT_BIN   := $(BUILD)/unit_tests
CAPI_C_OBJ := $(BUILD)/unit/facade_from_c.o
UNIT_INCS  := -Isrc -Isrc/include -Itests/unit

# semguardctl (tools/semguardctl), the command-line tool over the core library. The unit tests
# link its objects too (all but main), for its argument parsing and its output.
CTL_DIR    := tools/semguardctl
CTL_OBJS   := $(patsubst $(CTL_DIR)/%.cc,$(BUILD)/ctl/%.o,$(filter-out $(CTL_DIR)/main.cc,\
              $(sort $(wildcard $(CTL_DIR)/*.cc))))
CTL_BIN    := $(BUILD)/semguardctl
UNIT_OBJS  += $(CTL_OBJS)
UNIT_INCS  += -Itools

.PHONY: all deps build run test unit check-clang check-exports bench install clean help FORCE
all: build

help:
	@echo "make deps         install what building needs (apt or dnf, as root); starts/stops nothing"
	@echo "make              build $(MODULE)"
	@echo "make run          deps + build, then a real apache2 with the module on 127.0.0.1"
	@echo "make test         deps + test tools + build, then unit tests and the integration suite on"
	@echo "                  Debian's apache2 and on httpd 2.4.62/APR 1.6.3 (docs/testing.md)"
	@echo "make bench        deps + build, then the benchmarks (docs/performance.md), under 15 minutes"
	@echo "make demo         deps + build, then a minute on real apache2s: kill -9 with and without"
	@echo "                  the module, an ipcrm cron line on a live server (private namespace)"
	@echo "make install      the module, conf files, tool and man page (DESTDIR, PREFIX; see README)"
	@echo "make uninstall    take them away again (refuses while a2enmod has semguard enabled)"
	@echo "make check-clang  compile the core with clang++ as C++17, -Werror"
	@echo "make clean        remove $(BUILD)/"

deps:
	@sh tests/tools/install-deps.sh

build: $(MODULE)

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/core/%.o: src/%.cc
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	$(Q)$(CXX) $(CXXFLAGS) $(DEPFLAGS) -Isrc -Isrc/include -c $< -o $@

$(CORE_LIB): $(CORE_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

# Rewritten only when its text changes, so an unchanged APXS rebuilds nothing.
$(APXS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@{ echo "APXS=$(APXS)"; command -v $(APXS) || true; echo "$(APXS_CFLAGS)"; } > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; echo "  APXS  $(APXS)"; fi

$(BUILD)/mod_semguard.o: mod_semguard.c $(APXS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC_MOD) $(MOD_CFLAGS) $(DEPFLAGS) -Isrc/include -c $< -o $@

$(EXPORTS):
	@mkdir -p $(dir $@)
	$(Q)printf '{\n  global: semguard_module;\n  local: *;\n};\n' > $@

$(MODULE): $(BUILD)/mod_semguard.o $(CORE_LIB) $(EXPORTS) $(APXS_STAMP)
	@echo "  LINK  $@"
	$(Q)$(CXX) -shared -Wl,--version-script=$(EXPORTS) -o $@ $(BUILD)/mod_semguard.o \
	    $(CORE_LIB) -lstdc++

$(BUILD)/unit/%.o: tests/unit/%.cc
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	$(Q)$(CXX) $(filter-out -fvisibility=hidden -fvisibility-inlines-hidden,$(CXXFLAGS)) \
	    $(DEPFLAGS) $(UNIT_INCS) -c $< -o $@

# The façade must stay valid C: compile the test that calls it as C, with every warning.
$(CAPI_C_OBJ): tests/unit/facade_from_c.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)gcc -std=c99 -Wall -Wextra -Werror -pedantic $(DEPFLAGS) -Isrc/include -c $< -o $@

$(UNIT_BIN): $(UNIT_OBJS) $(CAPI_C_OBJ) $(CORE_LIB)
	@echo "  LINK  $@"
	$(Q)$(CXX) -o $@ $^ -lgtest -lgtest_main -pthread

unit: $(UNIT_BIN)

# What CI runs: the core as C++17 with clang++ too, warnings as errors. Syntax only, into no
# object: the g++ build above is the one that links.
CLANGXX    ?= clang++
CLANG_STAMPS := $(patsubst %.cc,$(BUILD)/clang/%.ok,$(CORE_SRCS))
$(BUILD)/clang/%.ok: %.cc
	@mkdir -p $(dir $@)
	@echo "  CLANG $<"
	$(Q)$(CLANGXX) $(CXXSTD) -fsyntax-only $(WARNINGS) -MMD -MP -MF $@.d -MT $@ \
	    -Isrc -Isrc/include $<
	@touch $@

check-clang: $(CLANG_STAMPS)

# The DSO exports semguard_module and nothing else of ours.
check-exports: $(MODULE)
	@out=$$(nm -D --defined-only $(MODULE) | awk '{print $$3}' | grep -v '^_\(init\|fini\)$$' \
	    | grep -v '^_edata$$\|^_end$$\|^__bss_start$$'); \
	if [ "$$out" != "semguard_module" ]; then \
	    echo "$(MODULE) exports more than semguard_module:"; echo "$$out"; exit 1; fi; \
	echo "  NM    $(MODULE) exports semguard_module only"

# Test helpers: pid 1 of the test namespace, a program that makes foreign semaphore sets, and
# one that seals a hand-edited ledger with the core's own checksum.
TOOLS := $(BUILD)/reaper $(BUILD)/semhold $(BUILD)/ledger-seal
# Test modules: hook points and faults for the integration tests (tests/modules/*.c).
TEST_MODULES := $(patsubst tests/modules/%.c,$(BUILD)/%.so,$(wildcard tests/modules/*.c))
$(BUILD)/mod_semguard_%.so: tests/modules/mod_semguard_%.c $(APXS_STAMP)
	@mkdir -p $(dir $@)
	$(CC_MOD) $(MOD_CFLAGS) -shared -o $@ $<

$(BUILD)/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	gcc -std=c99 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<
$(BUILD)/ledger-seal: tests/tools/ledger_seal.cc $(CORE_LIB)
	@echo "  LINK  $@"
	$(Q)$(CXX) $(CXXFLAGS) -Isrc -o $@ $^

run: deps build run-deps
	@sh tests/tools/run-server.sh

test: deps test-deps build check-clang check-exports $(UNIT_BIN) $(TOOLS) $(TEST_MODULES)
	@sh tests/run-all.sh

# ---- install / uninstall ------------------------------------------------------------------
# conf/install.sh does the work: the module into apxs's LIBEXECDIR, the conf files by layout
# (Debian mods-available, RHEL conf.modules.d), semguardctl and its man page under PREFIX once
# they exist. DESTDIR stages it all. Nothing here starts, stops or restarts a service.
PREFIX ?= /usr/local
INSTALL_VARS = APXS='$(APXS)' DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' BUILD='$(abspath $(BUILD))'
.PHONY: uninstall
install: $(MODULE)
	@$(INSTALL_VARS) sh conf/install.sh install

uninstall:
	@$(INSTALL_VARS) sh conf/install.sh uninstall
# ---- end of install / uninstall ------------------------------------------------------------

# ---- semguardctl (docs/semguardctl.md) ----
$(BUILD)/ctl/%.o: $(CTL_DIR)/%.cc
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	$(Q)$(CXX) $(CXXFLAGS) $(DEPFLAGS) -Isrc -Itools -c $< -o $@

$(CTL_BIN): $(BUILD)/ctl/main.o $(CTL_OBJS) $(CORE_LIB)
	@echo "  LINK  $@"
	$(Q)$(CXX) -o $@ $^

build: $(CTL_BIN)
install: $(CTL_BIN)
# ---- end of semguardctl ----

# ---- make demo (tests/tools/demo.py; README "See it") ----
.PHONY: demo
demo: deps run-deps build $(BUILD)/reaper
	@sh tests/tools/demo.sh
# ---- end of make demo ----

CLEANUP_BENCH := $(BUILD)/cleanup_bench
$(CLEANUP_BENCH): bench/cleanup_bench.cc $(CORE_LIB)
	@echo "  CXX   $<"
	$(Q)$(CXX) $(CXXSTD) -O2 $(UNIT_INCS) -o $@ $< $(CORE_LIB)

bench: deps bench-deps build $(TOOLS) $(CLEANUP_BENCH)
	@sh bench/run.sh

clean:
	rm -rf $(BUILD)

# ---- Test servers and test-only tools (docs/testing.md) ----
# `make deps` installs only what building needs; what the tests, `make run` and `make bench` need
# besides comes from tests/tools/install-test-deps.sh (after deps: one apt-get at a time).
# `make stack` builds the second test server (httpd 2.4.62 on APR 1.6.3) into build/stack/.
.PHONY: test-deps run-deps bench-deps stack
test-deps run-deps bench-deps: deps
	@sh tests/tools/install-test-deps.sh $(@:-deps=)
stack:
	@sh tests/tools/build-stack.sh

# ---------------------------------------------------------------------------------------------
# Fuzzing, sanitizers and valgrind (issue 12, items 5 and 6).
#   make fuzz        every libFuzzer target for FUZZ_SECONDS each (default 60)
#   make fuzz-smoke  every target for FUZZ_SMOKE_SECONDS (10), part of make test
#   make unit-asan   the unit tests built with ASan + UBSan into $(BUILD)/asan/, part of make test
#   make valgrind    apache2 -X under valgrind memcheck through a start, every page, a stop
# ---------------------------------------------------------------------------------------------
.PHONY: fuzz fuzz-smoke fuzz-build unit-asan valgrind

FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_TARGETS := ledger directives page_query proc_stat
FUZZ_BINS    := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
# The core once more, with clang's coverage for libFuzzer and both sanitizers; UBSan's findings
# abort, so libFuzzer keeps the input that caused them.
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CXXFLAGS = $(CXXSTD) -O1 -g $(WARNINGS) $(FUZZ_SAN)
FUZZ_CORE_OBJS := $(patsubst src/%.cc,$(BUILD)/fuzz/core/%.o,$(CORE_SRCS))
FUZZ_CORE_LIB  := $(BUILD)/fuzz/libsemguard_core.a

$(BUILD)/fuzz/core/%.o: src/%.cc
	@mkdir -p $(dir $@)
	@echo "  FUZZCXX $<"
	$(Q)$(CLANGXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link $(DEPFLAGS) -Isrc -Isrc/include \
	    -c $< -o $@

$(FUZZ_CORE_LIB): $(FUZZ_CORE_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.cc $(FUZZ_CORE_LIB)
	@mkdir -p $(dir $@)
	@echo "  FUZZ  $@"
	$(Q)$(CLANGXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer $(DEPFLAGS) -MF $@.d -Isrc -Isrc/include \
	    -Itests/fuzz -o $@ $< $(FUZZ_CORE_LIB)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: $(FUZZ_BINS)
	@sh tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS)

# The unit tests and the core with ASan + UBSan (g++, as the build above; gtest is g++'s).
# -Wno-maybe-uninitialized: with the sanitizers' instrumentation GCC 12 reports false ones inside
# libstdc++'s <regex> (std::function in _NFA::_M_insert_lookahead); the plain build keeps it.
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CXXFLAGS = $(CXXSTD) -O1 -g $(WARNINGS) -Wno-maybe-uninitialized $(ASAN_FLAGS)
ASAN_OBJS := $(patsubst src/%.cc,$(BUILD)/asan/core/%.o,$(CORE_SRCS)) \
             $(patsubst tests/unit/%.cc,$(BUILD)/asan/unit/%.o,$(UNIT_SRCS)) \
             $(patsubst $(BUILD)/unit/%,$(BUILD)/asan/unit/%,$(CAPI_C_OBJ))
ASAN_UNIT_BIN := $(BUILD)/asan/unit_tests

$(BUILD)/asan/core/%.o: src/%.cc
	@mkdir -p $(dir $@)
	@echo "  ASAN  $<"
	$(Q)$(CXX) $(ASAN_CXXFLAGS) $(DEPFLAGS) -Isrc -Isrc/include -c $< -o $@

$(BUILD)/asan/unit/%.o: tests/unit/%.cc
	@mkdir -p $(dir $@)
	@echo "  ASAN  $<"
	$(Q)$(CXX) $(ASAN_CXXFLAGS) $(DEPFLAGS) $(UNIT_INCS) -c $< -o $@

$(BUILD)/asan/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(Q)gcc -std=c99 -Wall -Wextra -Werror -pedantic $(ASAN_FLAGS) $(DEPFLAGS) -Isrc/include \
	    -c $< -o $@

$(ASAN_UNIT_BIN): $(ASAN_OBJS)
	@echo "  LINK  $@"
	$(Q)$(CXX) $(ASAN_FLAGS) -o $@ $^ -lgtest -lgtest_main -pthread

# As tests/run-all.sh runs the unit tests: a private IPC and PID namespace. Any sanitizer report
# ends the run with an error.
unit-asan: $(ASAN_UNIT_BIN) $(BUILD)/reaper
	@echo "== unit tests under ASan + UBSan"
	$(Q)ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    unshare --ipc --pid --fork --mount-proc $(BUILD)/reaper $(ASAN_UNIT_BIN) \
	    --gtest_output="json:$(BUILD)/asan/unit-asan.json"

valgrind: build $(BUILD)/reaper
	@sh tests/tools/valgrind-run.sh

# make test runs these too, before the unit and integration tests.
test: fuzz-smoke unit-asan

# Only our own objects' dependency files (build/ also holds other projects' trees).
-include $(shell find $(BUILD)/core $(BUILD)/unit $(BUILD)/clang $(BUILD)/fuzz/core $(BUILD)/asan \
    -name '*.d' 2>/dev/null) $(wildcard $(BUILD)/*.d $(BUILD)/fuzz/*.d)

# ---- semguardctl in the ASan unit tests (its tests are among tests/unit/*.cc) ----
ASAN_CTL_OBJS := $(patsubst $(BUILD)/ctl/%,$(BUILD)/asan/ctl/%,$(CTL_OBJS))
$(BUILD)/asan/ctl/%.o: $(CTL_DIR)/%.cc
	@mkdir -p $(dir $@)
	@echo "  ASAN  $<"
	$(Q)$(CXX) $(ASAN_CXXFLAGS) $(DEPFLAGS) -Isrc -Itools -c $< -o $@
$(ASAN_UNIT_BIN): $(ASAN_CTL_OBJS)
-include $(wildcard $(BUILD)/ctl/*.d $(BUILD)/asan/ctl/*.d)
# ---- end of semguardctl in the ASan unit tests ----

# ---- make soak (tests/tools/soak.py; docs/reliability.md) ----
# Graceful restarts under wrk load, with and without the module, in a private IPC + PID
# namespace. Not part of make test. SOAK_RESTARTS (100) and SOAK_SECONDS (300) bound it.
.PHONY: soak
soak: deps bench-deps build $(BUILD)/reaper
	@SEMGUARD_TEST_NAMESPACE=1 unshare --ipc --pid --fork --mount-proc $(BUILD)/reaper \
	    python3 tests/tools/soak.py
# ---- end of make soak ----
