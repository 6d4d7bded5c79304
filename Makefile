# iotjobs: one Makefile, the map of the project.
#
#   make            build build/iotjobsd and build/mosquitto_iotjobs.so
#   make run        install what running needs, build, run iotjobsd (./data)
#   make test       install what is missing, then every test, twice: plain
#                   and under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      benchmarks (print figures, gate nothing)
#   make install    install (PREFIX=/usr/local, DESTDIR=); make uninstall
#   make deb        build/iotjobs_VERSION_ARCH.deb (debhelper)
#   make fuzz       libFuzzer on every target for FUZZ_SECONDS each (clang)
#   make gen        regenerate src/gen from the AWS models (MODELS=DIR)
#   make gen-conf   regenerate etc/iotjobsd.conf and docs/man/ from conf.c
#
# Objects go to build/<variant>/, binaries of the plain variant to build/.

# The AWS service models that make gen reads (docs/internals/codegen.md);
# they are not in the repository, and gen-check skips without them.
MODELS    ?= ../shared/spec/models
VERSION   := $(shell cat VERSION)
# Where `make install` puts things (FHS); DESTDIR stages them elsewhere.
PREFIX    ?= /usr/local
SYSCONFDIR ?= /etc
SBINDIR   ?= $(PREFIX)/sbin
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR    ?= $(PREFIX)/share/doc/iotjobs
# systemd's own folders under /usr (the package's), PREFIX's otherwise.
SYSTEMD_UNITDIR ?= $(if $(filter /usr,$(PREFIX)),$(or $(shell \
             pkg-config --variable=systemdsystemunitdir systemd \
             2>/dev/null),/lib/systemd/system),$(PREFIX)/lib/systemd/system)
SYSUSERSDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib,$(PREFIX)/lib)/sysusers.d
PYTHON    ?= python3
CC        ?= cc
V         ?= 0
Q         := $(if $(filter 1,$(V)),,@)

PKGS      := libmicrohttpd jansson sqlite3 libpq libcrypto libpcre2-8 \
             libmosquitto libcbor gnutls libsystemd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The iotjobs command: libcurl and jansson, nothing of the daemon's.
CLI_PKGS   := libcurl jansson libcrypto
CLI_PKG_CFLAGS := $(shell pkg-config --cflags $(CLI_PKGS) 2>/dev/null)
CLI_PKG_LIBS   := $(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS    ?= -O2 -g
# CPPFLAGS and LDFLAGS: the packager's (dpkg-buildflags' hardening).
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) \
             $(VARIANT_CFLAGS) \
             -Isrc/common -Isrc -Isrc/daemon -Ibuild/gen $(PKG_CFLAGS) -MMD -MP
LDLIBS    := $(PKG_LIBS) -lpthread -lm

VARIANT   ?= plain
ifeq ($(VARIANT),asan)
VARIANT_CFLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
                  -fno-omit-frame-pointer
VARIANT_LDFLAGS := -fsanitize=address,undefined
BIN       := build/asan
else ifeq ($(VARIANT),fuzz)
# libFuzzer (make fuzz): everything built by clang, instrumented for coverage.
VARIANT_CFLAGS := -O1 -fsanitize=fuzzer-no-link,address,undefined \
                  -fno-sanitize-recover=all -fno-omit-frame-pointer
VARIANT_LDFLAGS := -fsanitize=fuzzer,address,undefined
BIN       := build/fuzz
else
BIN       := build
endif
OBJ       := build/$(VARIANT)

COMMON_SRC := $(wildcard src/common/*.c src/common/sigv4/*.c)
GEN_SRC    := $(wildcard src/gen/*.c)
DAEMON_SRC := $(filter-out src/daemon/main.c, \
              $(wildcard src/daemon/*.c src/daemon/*/*.c))
SCHEMA     := $(sort $(wildcard src/daemon/store/schema/sqlite/*.sql))
SCHEMA_PG  := $(sort $(wildcard src/daemon/store/schema/pg/*.sql))
LIB_OBJ    := $(patsubst %.c,$(OBJ)/%.o,$(COMMON_SRC) $(GEN_SRC) $(DAEMON_SRC)) \
              $(OBJ)/gen/schema_sqlite.o $(OBJ)/gen/schema_pg.o
CLI_SRC    := $(wildcard src/cli/*.c)
CLI_OBJ    := $(patsubst %.c,$(OBJ)/%.o,$(CLI_SRC))
# src/cli sees src/common only: no -Isrc/daemon, so a daemon header fails.
CLI_CFLAGS  = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(VARIANT_CFLAGS) \
              -Isrc/common $(CLI_PKG_CFLAGS) -MMD -MP
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BIN)/tests/%,$(UNIT_SRC)) \
              $(BIN)/tests/store_contract
CONTRACT_SRC := $(wildcard tests/contract/*.c)
FUZZ_TARGETS := $(basename $(notdir $(filter-out tests/fuzz/replay.c, \
              $(wildcard tests/fuzz/*.c))))
REPLAY_BIN := $(patsubst %,$(BIN)/replay/%,$(FUZZ_TARGETS))

.PHONY: plugin all run test test-plain test-asan unit fuzz-replay fuzz fuzz-run \
        integration integration-pg bench gen gen-check gen-conf \
        gen-conf-check deps lint deps-run clean install uninstall deb test-install
all: $(BIN)/iotjobsd $(BIN)/iotjobs plugin

# --- the Mosquitto plugin (src/plugin/) ---------------------------------------
# Loaded by the stock broker, so always built plain (a sanitizer runtime
# cannot be loaded into an uninstrumented mosquitto), position-independent,
# with the one policy evaluator of src/common.
PLUGIN        := build/mosquitto_iotjobs.so
PLUGIN_SRC    := $(wildcard src/plugin/*.c) src/common/policy.c src/common/err.c
PLUGIN_OBJ    := $(patsubst %.c,build/pic/%.o,$(PLUGIN_SRC))
PLUGIN_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) -fPIC \
                 -fvisibility=hidden -Isrc/common -Isrc/plugin \
                 $(shell pkg-config --cflags jansson libcrypto libcurl \
                 libmosquitto 2>/dev/null) -MMD -MP
PLUGIN_LIBS   := $(shell pkg-config --libs jansson libcrypto libcurl \
                 2>/dev/null) -lpthread

plugin: $(PLUGIN)

$(PLUGIN): $(PLUGIN_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) -shared $(LDFLAGS) -o $@ $^ $(PLUGIN_LIBS)

build/pic/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) -c -o $@ $<

$(BIN)/iotjobsd: $(OBJ)/src/daemon/main.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(VARIANT_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The version and the configuration folder, baked into the binaries:
# rewritten only when they change, so that nothing rebuilds needlessly.
build/gen/build_info.h: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '/* Generated by the Makefile; do not edit. */' \
	    '#define IOTJOBS_VERSION "$(VERSION)"' \
	    '#define IOTJOBS_SYSCONFDIR "$(SYSCONFDIR)"' >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(OBJ)/src/common/version.o $(OBJ)/src/daemon/conf.o: build/gen/build_info.h

FORCE:

$(BIN)/iotjobs: $(CLI_OBJ) $(patsubst %.c,$(OBJ)/%.o,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(VARIANT_LDFLAGS) -o $@ $^ $(CLI_PKG_LIBS) -lm

$(OBJ)/src/cli/%.o: src/cli/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CLI_CFLAGS) -c -o $@ $<

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/gen/schema_sqlite.c: tools/embed_sql.sh $(SCHEMA)
	@mkdir -p $(dir $@)
	$(Q)sh tools/embed_sql.sh sq $(SCHEMA) > $@.tmp && mv $@.tmp $@

build/gen/schema_pg.c: tools/embed_sql.sh $(SCHEMA_PG)
	@mkdir -p $(dir $@)
	$(Q)sh tools/embed_sql.sh pg $(SCHEMA_PG) > $@.tmp && mv $@.tmp $@

$(OBJ)/gen/schema_%.o: build/gen/schema_%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BIN)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(VARIANT_LDFLAGS) -o $@ $< \
	    $(LIB_OBJ) $(LDLIBS) -lcmocka

# The store contract suite (tests/contract/): one binary of every area;
# contract.c sees every store_end (a failed case's transactions).
$(BIN)/tests/store_contract: $(CONTRACT_SRC) tests/contract/contract.h \
    $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/contract $(VARIANT_LDFLAGS) -o $@ \
	    -Wl,--wrap=store_end $(CONTRACT_SRC) $(LIB_OBJ) $(LDLIBS) -lcmocka

# A fuzz target linked with replay.c by the ordinary compiler: runs corpora.
$(BIN)/replay/%: tests/fuzz/%.c tests/fuzz/replay.c tests/fuzz/fuzz.h \
    $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/fuzz $(VARIANT_LDFLAGS) -o $@ \
	    tests/fuzz/$*.c tests/fuzz/replay.c $(LIB_OBJ) $(LDLIBS)

# The same target linked with libFuzzer (VARIANT=fuzz only).
build/fuzz/bin/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/fuzz $(VARIANT_LDFLAGS) -o $@ \
	    tests/fuzz/$*.c $(LIB_OBJ) $(LDLIBS)

# --- benchmarks -------------------------------------------------------------
BENCH_BIN := build/bench/iotjobs-load build/bench/bare build/bench/sqlite_raw \
             build/bench/iotjobs-tls-load build/bench/policy \
             build/bench/thing_query build/bench/iotjobs-flood \
             build/bench/pg_raw
SIGV4_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(COMMON_SRC))

build/bench/iotjobs-load: bench/load.c $(SIGV4_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

build/bench/iotjobs-flood: bench/flood.c $(SIGV4_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

build/bench/iotjobs-tls-load: bench/tls_load.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LDLIBS) -lssl

build/bench/policy: bench/policy.c $(SIGV4_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

build/bench/thing_query: bench/thing_query.c $(SIGV4_OBJ) \
    $(OBJ)/src/daemon/api/thing_query.o \
    $(OBJ)/src/daemon/api/thing_query_eval.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

build/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)

# --- generated tables -------------------------------------------------------
# src/gen from the AWS service models ($(MODELS), not in the repository);
# etc/iotjobsd.conf and docs/man/ from iotjobsd's option table.
gen:
	$(PYTHON) tools/codegen/gen_model.py $(MODELS) src/gen

gen-conf: $(BIN)/iotjobsd
	sh tools/gen_conf.sh $(BIN)/iotjobsd $(VERSION) .

# Both kinds must be current. Without the models (a clone on its own)
# only the first check is skipped, and says so.
gen-check: gen-conf-check
	@if [ ! -d "$(MODELS)" ]; then \
	    echo "gen-check: $(MODELS) not found: skipped the check of" \
	        "src/gen (set MODELS=DIR to run it)"; exit 0; fi; \
	rm -rf build/gen-check && mkdir -p build/gen-check && \
	$(PYTHON) tools/codegen/gen_model.py $(MODELS) build/gen-check && \
	for f in build/gen-check/*; do \
	    cmp -s $$f src/gen/$$(basename $$f) || { \
	    echo "src/gen/$$(basename $$f) is stale: run make gen"; exit 1; }; \
	done; echo "generated tables are current"

gen-conf-check: $(BIN)/iotjobsd
	@rm -rf build/gen-conf && \
	sh tools/gen_conf.sh $(BIN)/iotjobsd $(VERSION) build/gen-conf && \
	for f in etc/iotjobsd.conf $$(cd build/gen-conf && ls docs/man/*); do \
	    cmp -s build/gen-conf/$$f $$f || { \
	    echo "$$f is stale: run make gen-conf"; exit 1; }; \
	done; echo "configuration file and manual pages are current"

# --- tests ------------------------------------------------------------------
deps:
	@sh scripts/deps.sh test

deps-run:
	@sh scripts/deps.sh run

# Every store operation has a contract case (tools/check_contract_cover.py).
# The contract suite runs on SQLite, then on a private PostgreSQL server
# (tests/pg/), one schema per case.
unit: $(UNIT_BIN)
	@$(PYTHON) tools/check_contract_cover.py
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; timeout 300 $$t; done
	@echo "== $(BIN)/tests/store_contract on PostgreSQL"
	@timeout 600 sh tests/pg/with_pg.sh sh -c 'IOTJOBS_TEST_STORE="$$IOTJOBS_TEST_PG&options=-csearch_path%3D%s" $(BIN)/tests/store_contract'

# Every corpus through its target: seconds, no clang needed.
fuzz-replay: $(REPLAY_BIN)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    timeout 300 $(BIN)/replay/$$t tests/fuzz/corpus/$$t; done

integration: $(BIN)/iotjobsd $(BIN)/iotjobs
	IOTJOBSD=$(abspath $(BIN)/iotjobsd) IOTJOBS_CLI=$(abspath $(BIN)/iotjobs) \
	    timeout 1500 sh tests/integration/run.sh

# The same suites again on a private PostgreSQL server (tests/pg/): every
# test's store a schema of its own, plus the three-node suite
# (tests/integration/py/test_cluster.py, which needs PostgreSQL).
integration-pg: $(BIN)/iotjobsd $(BIN)/iotjobs
	IOTJOBSD=$(abspath $(BIN)/iotjobsd) IOTJOBS_CLI=$(abspath $(BIN)/iotjobs) \
	    timeout 1800 sh tests/pg/with_pg.sh sh tests/integration/run.sh \
	    py3 js cli

# The two stores' integration runs side by side (each waits on its
# daemons and servers more than on a core); their output in turn.
test-plain:
	$(MAKE) VARIANT=plain all unit fuzz-replay
	$(MAKE) VARIANT=plain -j2 --output-sync=target integration \
	    integration-pg

test-asan:
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(MAKE) VARIANT=asan all unit fuzz-replay integration

# make install, make deb and make run, and what they install or start
# (tests/install/).
test-install: all
	cd tests/install && timeout 1500 $(PYTHON) -m unittest -v test_install \
	    test_deb test_run

test: deps
	$(MAKE) gen-check lint
	$(MAKE) test-plain
	$(MAKE) test-install
	$(MAKE) test-asan
	@echo "all tests passed (plain and asan+ubsan)"

# libFuzzer, FUZZ_SECONDS per target, on a copy of each corpus in
# build/fuzz/corpus/ (new inputs stay there; a crash input lands in
# build/fuzz/crash/<target>/, the log in build/fuzz/<target>.log).
# Not part of `make test`: it gates nothing, it looks for new bugs.
FUZZ_CC      ?= $(firstword $(shell command -v clang-14 clang 2>/dev/null))
FUZZ_SECONDS ?= 60
FUZZ         ?= $(FUZZ_TARGETS)

fuzz:
	@if [ -z "$(FUZZ_CC)" ] || [ ! -f "$$($(FUZZ_CC) -print-runtime-dir \
	    2>/dev/null)/libclang_rt.fuzzer-$$(uname -m).a" ]; then \
	    echo "make fuzz needs clang with libFuzzer:"; \
	    echo "  sudo apt-get install -y clang-14 libclang-rt-14-dev"; \
	    exit 1; fi
	$(MAKE) VARIANT=fuzz CC=$(FUZZ_CC) fuzz-run

fuzz-run: $(patsubst %,build/fuzz/bin/%,$(FUZZ))
	@set -e; for t in $(FUZZ); do \
	    mkdir -p build/fuzz/corpus/$$t build/fuzz/crash/$$t; \
	    cp tests/fuzz/corpus/$$t/* build/fuzz/corpus/$$t/; \
	    echo "== $$t: $(FUZZ_SECONDS) s"; \
	    if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	        build/fuzz/bin/$$t -max_total_time=$(FUZZ_SECONDS) \
	        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	        -artifact_prefix=build/fuzz/crash/$$t/ \
	        build/fuzz/corpus/$$t >build/fuzz/$$t.log 2>&1; then \
	        grep -E '^(#[0-9]+.*DONE|stat::)' build/fuzz/$$t.log; \
	    else \
	        tail -n 40 build/fuzz/$$t.log; \
	        echo "$$t: FAILED, log build/fuzz/$$t.log," \
	            "input in build/fuzz/crash/$$t/"; exit 1; \
	    fi; done

run: deps-run all
	sh scripts/run.sh $(ARGS)

bench: deps all $(BENCH_BIN)
	sh bench/run.sh

# --- installing ---------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=STAGE]: the binaries, the
# manual pages, the configuration file (never over an existing one), the
# systemd unit (disabled) and its user. As root on this system (no
# DESTDIR) it also creates that user; it enables nothing.
INSTALL_MAN := docs/man/iotjobsd.8 docs/man/iotjobsd.conf.5

# The broker side: the plugin in LIBDIR/iotjobs/ and etc/mosquitto/ as a
# drop-in that Mosquitto does not load until renamed (conf.d/*.conf):
# it needs a password file and a server certificate first (iotjobsd(8),
# BROKER).
MOSQ_DIR  ?= $(SYSCONFDIR)/mosquitto

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(SYSTEMD_UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/iotjobs $(DESTDIR)$(LIBDIR)/iotjobs \
	    $(DESTDIR)$(MOSQ_DIR)/conf.d $(DESTDIR)$(MOSQ_DIR)/iotjobs
	install -m 0755 $(BIN)/iotjobsd $(DESTDIR)$(SBINDIR)/iotjobsd
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BIN)/iotjobs $(DESTDIR)$(BINDIR)/iotjobs
	install -m 0644 docs/man/iotjobs.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 etc/bash-completion/iotjobs $(DESTDIR)$(BASHCOMPDIR)/
	install -m 0644 $(PLUGIN) $(DESTDIR)$(LIBDIR)/iotjobs/
	sed -e 's|/usr/lib/iotjobs/|$(LIBDIR)/iotjobs/|' \
	    -e 's|/etc/mosquitto/|$(MOSQ_DIR)/|' etc/mosquitto/mosquitto.conf \
	    >$(DESTDIR)$(MOSQ_DIR)/conf.d/iotjobs.conf.example
	chmod 0644 $(DESTDIR)$(MOSQ_DIR)/conf.d/iotjobs.conf.example
	install -m 0644 etc/mosquitto/acl $(DESTDIR)$(MOSQ_DIR)/iotjobs/acl
	install -m 0644 docs/man/iotjobsd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 docs/man/iotjobsd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 etc/iotjobsd.conf docs/upgrading.md \
	    $(DESTDIR)$(DOCDIR)/examples/
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/iotjobs/iotjobsd.conf ]; then \
	    echo "install: kept $(DESTDIR)$(SYSCONFDIR)/iotjobs/iotjobsd.conf" \
	        "(the new example is in $(DOCDIR)/examples/)"; \
	else install -m 0640 etc/iotjobsd.conf \
	    $(DESTDIR)$(SYSCONFDIR)/iotjobs/iotjobsd.conf; fi
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    etc/systemd/iotjobsd.service.in >$(DESTDIR)$(SYSTEMD_UNITDIR)/iotjobsd.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/iotjobsd.service
	install -m 0644 etc/systemd/iotjobs.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/iotjobs.conf
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ]; then \
	    command -v systemd-sysusers >/dev/null && \
	        systemd-sysusers $(SYSUSERSDIR)/iotjobs.conf; \
	    getent group iotjobs >/dev/null && \
	        chgrp iotjobs $(SYSCONFDIR)/iotjobs/iotjobsd.conf; \
	    [ -d /run/systemd/system ] && systemctl daemon-reload; \
	    echo "install: done; then: systemctl enable --now iotjobsd"; \
	fi; true

# Removes what install wrote, but the configuration file when it was
# changed, the user and the data (/var/lib/iotjobs): those are the admin's.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/iotjobsd $(DESTDIR)$(BINDIR)/iotjobs \
	    $(DESTDIR)$(MANDIR)/man1/iotjobs.1 $(DESTDIR)$(BASHCOMPDIR)/iotjobs \
	    $(DESTDIR)$(LIBDIR)/iotjobs/$(notdir $(PLUGIN)) \
	    $(DESTDIR)$(MOSQ_DIR)/conf.d/iotjobs.conf.example \
	    $(DESTDIR)$(MOSQ_DIR)/iotjobs/acl \
	    $(DESTDIR)$(MANDIR)/man8/iotjobsd.8 \
	    $(DESTDIR)$(MANDIR)/man5/iotjobsd.conf.5 \
	    $(DESTDIR)$(SYSTEMD_UNITDIR)/iotjobsd.service \
	    $(DESTDIR)$(SYSUSERSDIR)/iotjobs.conf \
	    $(DESTDIR)$(DOCDIR)/examples/iotjobsd.conf \
	    $(DESTDIR)$(DOCDIR)/examples/upgrading.md
	@if cmp -s etc/iotjobsd.conf $(DESTDIR)$(SYSCONFDIR)/iotjobs/iotjobsd.conf; \
	then rm -f $(DESTDIR)$(SYSCONFDIR)/iotjobs/iotjobsd.conf; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/iotjobs/iotjobsd.conf ]; then \
	    echo "uninstall: kept $(DESTDIR)$(SYSCONFDIR)/iotjobs/iotjobsd.conf" \
	        "(changed)"; fi
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/iotjobs $(DESTDIR)$(LIBDIR)/iotjobs \
	    $(DESTDIR)$(MOSQ_DIR)/iotjobs 2>/dev/null

# make deb: build/iotjobs_VERSION_ARCH.deb with debhelper (debian/), built
# in a copy of this tree (build/deb/) so that nothing lands beside it.
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
DEB      := build/iotjobs_$(VERSION)_$(DEB_ARCH).deb

deb:
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || \
	    { echo "deb: debian/changelog is at $$v, VERSION at $(VERSION)"; \
	    exit 1; }
	rm -rf build/deb && mkdir -p build/deb/iotjobs-$(VERSION)
	tar --exclude=./build --exclude=./node_modules --exclude=./.git \
	    --exclude=./data -cf - . | tar -xf - -C build/deb/iotjobs-$(VERSION)
	cd build/deb/iotjobs-$(VERSION) && \
	    DEB_BUILD_OPTIONS="parallel=2 $(DEB_BUILD_OPTIONS)" \
	    dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
	    { tail -n 40 ../build.log; exit 1; }
	mv build/deb/$(notdir $(DEB)) $(DEB)
	@echo "deb: $(DEB) (log: build/deb/build.log)"

# Banned calls (docs/STYLE.md): unbounded copies and unchecked conversions;
# the operation index of docs/ARCHITECTURE.md against the tables.
# The names of src/common/status.h: the store binds them, never spells them.
STATUS_NAMES := QUEUED|IN_PROGRESS|SUCCEEDED|FAILED|TIMED_OUT|REJECTED|REMOVED
STATUS_NAMES := $(STATUS_NAMES)|CANCELED|COMPLETED|DELETION_IN_PROGRESS
STATUS_NAMES := $(STATUS_NAMES)|SCHEDULED|CREATED

lint:
	@! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|strncpy|gets)\s*\(' \
	    $$(find src tests/unit tests/fuzz -name '*.[ch]') || \
	    { echo "banned function (see docs/STYLE.md)"; exit 1; }
	@! grep -nE "'($(STATUS_NAMES))'" src/daemon/store/*.c || \
	    { echo "a status literal in the store's SQL: bind it from status.h"; exit 1; }
	@$(PYTHON) tools/check_opindex.py
	@echo "lint ok"

clean:
	rm -rf build

-include $(shell find build -path build/deb -prune -o -name '*.d' -type f \
    -print 2>/dev/null)
