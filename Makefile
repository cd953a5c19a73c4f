# dbscale — build, run, test, benchmark.
# `make run` and `make check` install missing Debian packages first (tools/deps.sh).
# Quiet by default; `make V=1` shows full commands.

PREFIX  ?= /usr/local
DESTDIR ?=
ifeq ($(MPI),1)
# make MPI=1: the same program built with Debian's OpenMPI (mpicc), in its own folder;
# run it as `mpirun -np K build-mpi/dbscale run FILE`.
BUILD   ?= build-mpi
CC      = mpicc
EXTRA_CFLAGS += -DDBSCALE_MPI
else
BUILD   ?= build
CC      ?= cc
endif

WARN    = -Wall -Wextra -Werror
CSTD    = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
OPT     ?= -O2 -g
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) -ffp-contract=off -I. $(TEST_INC) -DDBSCALE_DATADIR='"$(PREFIX)/share/dbscale"' -MMD -MP $(EXTRA_CFLAGS) $(CFLAGS)
LIBS    = -lgsl -lgslcblas -lcsv -lm
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm -lpthread)
LDFLAGS_ALL = $(EXTRA_LDFLAGS) $(LDFLAGS)

ifeq ($(V),1)
Q =
say = @true
else
Q = @
say = @printf '  %-7s %s\n'
endif

SIM_SRC    := $(sort $(wildcard sim/*.c))
MODEL_SRC  := $(sort $(wildcard models/*.c))
CLI_SRC    := $(sort $(filter-out cli/main.c,$(wildcard cli/*.c)))
TEST_SRC   := $(sort $(wildcard tests/check_*.c))
BENCH_SRC  := $(sort $(wildcard bench/*.c))

LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(SIM_SRC) $(MODEL_SRC) $(CLI_SRC))
MAIN_OBJ   := $(BUILD)/cli/main.o
TEST_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRC))
BENCH_BIN  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
LIB        := $(BUILD)/libdbscale.a
BIN        := $(BUILD)/dbscale
TEST_BIN   := $(BUILD)/check_dbscale

.PHONY: all run check test deps bench asan valgrind install uninstall clean docs
.DEFAULT_GOAL := all

ifeq ($(MPI),1)
all: $(BIN)
else
all: dbscale

dbscale: $(BIN)
	$(Q)ln -sf $(BIN) dbscale
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIB): $(LIB_OBJ)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $(MAIN_OBJ) $(LIB) $(LIBS)

# The test runner collects every tests/check_NAME.c; each defines Suite *NAME_suite(void).
$(BUILD)/tests/suites.h: $(TEST_SRC) Makefile
	@mkdir -p $(dir $@)
	$(Q)for f in $(TEST_SRC); do n=$${f#tests/check_}; n=$${n%.c}; \
	  [ "$$n" = main ] || echo "SUITE($$n)"; done > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/check_main.o: $(BUILD)/tests/suites.h
$(BUILD)/tests/check_main.o: TEST_INC = -I$(BUILD)/tests

$(TEST_BIN): $(TEST_OBJ) $(LIB)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $(TEST_OBJ) $(LIB) $(LIBS) $(CHECK_LIBS)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(LIBS)

deps:
	$(Q)sh tools/deps.sh

# docs/scenarios.md is generated from the option tables; a test fails when it is stale.
docs: all
	$(say) GEN docs/scenarios.md
	$(Q)./dbscale help --markdown > docs/scenarios.md.tmp && mv docs/scenarios.md.tmp docs/scenarios.md

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./dbscale run scenarios/quickstart.ini

check: deps
	$(Q)$(MAKE) --no-print-directory all $(TEST_BIN)
	$(Q)sh tests/run.sh $(TEST_BIN) $(BIN)

test: all $(TEST_BIN)
	$(Q)sh tests/run.sh $(TEST_BIN) $(BIN)

bench: all $(BENCH_BIN)
	$(Q)sh bench/run.sh $(BUILD)

# Sanitizer build in its own folder; runs every test and a scenario.
asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" build-asan/dbscale build-asan/check_dbscale
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  DBSCALE_QUICK=1 sh tests/run.sh build-asan/check_dbscale build-asan/dbscale

# valgrind over the unit tests (no fork, quick statistical sizes) and one scenario run.
valgrind: all $(TEST_BIN)
	$(Q)DBSCALE_QUICK=1 CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full \
	  --errors-for-leak-kinds=definite,indirect $(TEST_BIN)
	$(Q)sh tests/valgrind_run.sh $(BIN)

install: all
	$(say) INSTALL $(DESTDIR)$(PREFIX)
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/dbscale
	$(Q)install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/dbscale
	$(Q)if [ -f docs/dbscale.1 ]; then install -m 644 docs/dbscale.1 $(DESTDIR)$(PREFIX)/share/man/man1/dbscale.1; fi
	$(Q)cp -R scenarios $(DESTDIR)$(PREFIX)/share/dbscale/

uninstall:
	$(Q)rm -f $(DESTDIR)$(PREFIX)/bin/dbscale $(DESTDIR)$(PREFIX)/share/man/man1/dbscale.1
	$(Q)rm -rf $(DESTDIR)$(PREFIX)/share/dbscale

clean:
	$(Q)rm -rf build build-asan build-mpi build-fuzz dbscale

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# libFuzzer harnesses (fuzz/README.md): the library rebuilt by clang with coverage and
# sanitizers in build-fuzz/, then build-fuzz/fuzz_scenario and build-fuzz/fuzz_values.
# `make fuzz-run` runs each for FUZZ_SECONDS; new inputs go to build-fuzz/corpus-*, crashes
# to build-fuzz/. Without clang both say so and stop; `make test` replays the corpora.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_HARNESS  = fuzz_scenario fuzz_values
.PHONY: fuzz fuzz-run
fuzz:
	$(Q)if ! command -v $(FUZZ_CC) >/dev/null 2>&1; then \
	  echo "fuzz: $(FUZZ_CC) not found; the libFuzzer harnesses need clang (make test still replays fuzz/corpus)"; \
	else \
	  $(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) WARN="-Wall -Wextra" \
	    OPT="-O1 -g -fno-omit-frame-pointer" \
	    EXTRA_CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" build-fuzz/libdbscale.a || exit 1; \
	  for h in $(FUZZ_HARNESS); do \
	    printf '  %-7s %s\n' FUZZ build-fuzz/$$h; \
	    $(FUZZ_CC) $(CSTD) -Wall -Wextra -O1 -g -ffp-contract=off -I. -fsanitize=fuzzer $(FUZZ_SAN) \
	      fuzz/$$h.c build-fuzz/libdbscale.a $(LIBS) -o build-fuzz/$$h || exit 1; \
	  done; \
	fi

fuzz-run: fuzz
	$(Q)if [ -x build-fuzz/fuzz_scenario ]; then \
	  for h in scenario values; do \
	    mkdir -p build-fuzz/corpus-$$h; \
	    echo "fuzz_$$h: $(FUZZ_SECONDS) s"; \
	    build-fuzz/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	      -dict=fuzz/dict/$$h.dict -artifact_prefix=build-fuzz/$$h- -print_final_stats=1 \
	      build-fuzz/corpus-$$h fuzz/corpus/$$h || exit 1; \
	  done; \
	fi
