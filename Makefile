# mod_semguard: build, run and test. `make help` lists the targets.

BUILD      := build
APXS       ?= apxs
CXX        ?= g++
CC_MOD     ?= gcc

# httpd and APR flags, asked of apxs (evaluated only when a target needs them).
APXS_CFLAGS = $(shell $(APXS) -q CFLAGS) $(shell $(APXS) -q EXTRA_CPPFLAGS) \
              -I$(shell $(APXS) -q INCLUDEDIR) $(shell $$($(APXS) -q APR_CONFIG) --includes --cppflags)

WARNINGS   := -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -Werror
CXXFLAGS   := -std=c++20 -O2 -g -fPIC -fvisibility=hidden -fvisibility-inlines-hidden $(WARNINGS)
MOD_CFLAGS  = $(APXS_CFLAGS) -fPIC -Wall -Wextra -Werror -Wno-unused-parameter

CORE_SRCS  := $(wildcard src/*.cc)
CORE_OBJS  := $(patsubst src/%.cc,$(BUILD)/core/%.o,$(CORE_SRCS))
CORE_LIB   := $(BUILD)/libsemguard_core.a
MODULE     := $(BUILD)/mod_semguard.so

UNIT_SRCS  := $(wildcard tests/unit/*.cc)
UNIT_OBJS  := $(patsubst tests/unit/%.cc,$(BUILD)/unit/%.o,$(UNIT_SRCS))
UNIT_BIN   := $(BUILD)/unit_tests
CAPI_C_OBJ := $(BUILD)/unit/c_api_compiles_as_c.o

.PHONY: all deps build run test unit bench install clean help
all: build

help:
	@echo "make deps         install what is missing (Debian/Ubuntu, as root)"
	@echo "make              build $(MODULE)"
	@echo "make run          deps + build, then a real apache2 with the module on 127.0.0.1"
	@echo "make test         deps + build, then every test (unit and integration)"
	@echo "make bench        deps + build, then the benchmarks (docs/performance.md), under 15 minutes"
	@echo "make install      the module, conf files, tool and man page (DESTDIR, PREFIX; see README)"
	@echo "make uninstall    take them away again (refuses while a2enmod has semguard enabled)"
	@echo "make clean        remove $(BUILD)/"

deps:
	@sh tests/tools/install-deps.sh

build: $(MODULE)

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/core/%.o: src/%.cc $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	$(Q)$(CXX) $(CXXFLAGS) -c $< -o $@

$(CORE_LIB): $(CORE_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/mod_semguard.o: mod_semguard.c src/semguard.h
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC_MOD) $(MOD_CFLAGS) -c $< -o $@

$(MODULE): $(BUILD)/mod_semguard.o $(CORE_LIB)
	@echo "  LINK  $@"
	$(Q)$(CXX) -shared -o $@ $(BUILD)/mod_semguard.o $(CORE_LIB) -lstdc++

$(BUILD)/unit/%.o: tests/unit/%.cc $(wildcard src/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	$(Q)$(CXX) $(filter-out -fvisibility=hidden -fvisibility-inlines-hidden,$(CXXFLAGS)) -Isrc -c $< -o $@

# The façade must stay valid C: compile its header as C, with every warning.
$(CAPI_C_OBJ): tests/unit/c_api_compiles_as_c.c src/semguard.h
	@mkdir -p $(dir $@)
	gcc -std=c99 -Wall -Wextra -Werror -pedantic -Isrc -c $< -o $@

$(UNIT_BIN): $(UNIT_OBJS) $(CAPI_C_OBJ) $(CORE_LIB)
	$(CXX) -o $@ $^ -lgtest -lgtest_main -pthread

unit: $(UNIT_BIN)

# Test helpers: pid 1 of the test namespace, and a program that makes foreign semaphore sets.
TOOLS := $(BUILD)/reaper $(BUILD)/semhold
TEST_MODULE := $(BUILD)/mod_semguard_testhooks.so
$(TEST_MODULE): tests/modules/mod_semguard_testhooks.c
	@mkdir -p $(dir $@)
	$(CC_MOD) $(MOD_CFLAGS) -shared -o $@ $<

$(BUILD)/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	gcc -std=c99 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<

run: deps build
	@sh tests/tools/run-server.sh

test: deps build $(UNIT_BIN) $(TOOLS) $(TEST_MODULE)
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

CLEANUP_BENCH := $(BUILD)/cleanup_bench
$(CLEANUP_BENCH): bench/cleanup_bench.cc $(CORE_LIB)
	@echo "  CXX   $<"
	$(Q)$(CXX) -std=c++20 -O2 -Isrc -o $@ $< $(CORE_LIB)

bench: deps build $(TOOLS) $(CLEANUP_BENCH)
	@sh bench/run.sh

clean:
	rm -rf $(BUILD)
