# iotjobs: one Makefile, the map of the project.
#
#   make            build build/iotjobsd
#   make run        install what is missing, build, run iotjobsd (./data)
#   make test       install what is missing, then every test, twice: plain
#                   and under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      benchmarks (print figures, gate nothing)
#   make gen        regenerate src/gen from ../shared/spec/models
#
# Objects go to build/<variant>/, binaries of the plain variant to build/.

MODELS    ?= ../shared/spec/models
PYTHON    ?= python3
CC        ?= cc
V         ?= 0
Q         := $(if $(filter 1,$(V)),,@)

PKGS      := libmicrohttpd jansson sqlite3 libcrypto libpcre2-8 libmosquitto \
             libcbor
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(VARIANT_CFLAGS) \
             -Isrc/common -Isrc -Isrc/daemon -Ibuild/gen $(PKG_CFLAGS) -MMD -MP
LDLIBS    := $(PKG_LIBS) -lpthread -lm

VARIANT   ?= plain
ifeq ($(VARIANT),asan)
VARIANT_CFLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
                  -fno-omit-frame-pointer
VARIANT_LDFLAGS := -fsanitize=address,undefined
BIN       := build/asan
else
BIN       := build
endif
OBJ       := build/$(VARIANT)

COMMON_SRC := $(wildcard src/common/*.c src/common/sigv4/*.c)
GEN_SRC    := $(wildcard src/gen/*.c)
DAEMON_SRC := $(filter-out src/daemon/main.c, \
              $(wildcard src/daemon/*.c src/daemon/*/*.c))
SCHEMA     := $(sort $(wildcard src/daemon/store/schema/sqlite/*.sql))
LIB_OBJ    := $(patsubst %.c,$(OBJ)/%.o,$(COMMON_SRC) $(GEN_SRC) $(DAEMON_SRC)) \
              $(OBJ)/gen/schema_sqlite.o
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BIN)/tests/%,$(UNIT_SRC))

.PHONY: all run test test-plain test-asan unit integration bench gen \
        gen-check deps lint clean
all: $(BIN)/iotjobsd

$(BIN)/iotjobsd: $(OBJ)/src/daemon/main.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(VARIANT_LDFLAGS) -o $@ $^ $(LDLIBS)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/gen/schema_sqlite.c: tools/embed_sql.sh $(SCHEMA)
	@mkdir -p $(dir $@)
	$(Q)sh tools/embed_sql.sh $(SCHEMA) > $@.tmp && mv $@.tmp $@

$(OBJ)/gen/schema_sqlite.o: build/gen/schema_sqlite.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BIN)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(VARIANT_LDFLAGS) -o $@ $< \
	    $(LIB_OBJ) $(LDLIBS) -lcmocka

# --- benchmarks -------------------------------------------------------------
BENCH_BIN := build/bench/iotjobs-load build/bench/bare build/bench/sqlite_raw
SIGV4_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(COMMON_SRC))

build/bench/iotjobs-load: bench/load.c $(SIGV4_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

build/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)

# --- generated tables -------------------------------------------------------
gen:
	$(PYTHON) tools/codegen/gen_model.py $(MODELS) src/gen

gen-check:
	@rm -rf build/gen-check && mkdir -p build/gen-check
	$(Q)$(PYTHON) tools/codegen/gen_model.py $(MODELS) build/gen-check
	@for f in build/gen-check/*; do \
	    cmp -s $$f src/gen/$$(basename $$f) || { \
	    echo "src/gen/$$(basename $$f) is stale: run make gen"; exit 1; }; \
	done; echo "generated tables are current"

# --- tests ------------------------------------------------------------------
deps:
	@sh scripts/deps.sh

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; timeout 300 $$t; done

integration: $(BIN)/iotjobsd
	IOTJOBSD=$(abspath $(BIN)/iotjobsd) timeout 1500 sh tests/integration/run.sh

test-plain:
	$(MAKE) VARIANT=plain all unit integration

test-asan:
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(MAKE) VARIANT=asan all unit integration

test: deps
	$(MAKE) gen-check lint
	$(MAKE) test-plain
	$(MAKE) test-asan
	@echo "all tests passed (plain and asan+ubsan)"

run: deps all
	sh scripts/run.sh $(ARGS)

bench: deps all $(BENCH_BIN)
	sh bench/run.sh

# Banned calls (STYLE.md): unbounded copies and unchecked conversions.
lint:
	@! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|strncpy|gets)\s*\(' \
	    $$(find src tests/unit -name '*.[ch]') || \
	    { echo "banned function (see STYLE.md)"; exit 1; }
	@echo "lint ok"

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
