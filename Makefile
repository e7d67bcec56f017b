# ember -- build, test and run.
#
#   make            release build: build/libember.a, build/libember.so,
#                   build/ember (shell), build/ember-slt, build/ember-bench
#   make test       release and ASan+UBSan builds, then every test in both
#   make run        build, generate TPC-H SF 1 (SF=...) and run the 22
#                   queries: per-query time, rows and allocations
#   make debug      asserts and tracing:       build/debug/...
#   make asan       AddressSanitizer + UBSan:  build/asan/...
#   make profile    shell and ember-bench linked with gperftools' CPU
#                   profiler: build/profile/ember, build/profile/ember-bench;
#                   CPUPROFILE=/tmp/ember.prof build/profile/ember-bench ...
#                   then google-pprof --text build/profile/ember-bench \
#                   /tmp/ember.prof
#
# Sources are found by wildcard: a new file in src/<layer>/ or tools/<x>/
# needs no edit here. Each tests/unit/test_*.c is its own test binary.

VERSION   := 0.3.0
SOVERSION := 0

CC      ?= cc
ifeq ($(origin CC),default)
CC      := gcc
endif

WARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
           -Wstrict-prototypes -Wundef -Wwrite-strings -Wno-unused-parameter
CSTD    := -std=c11 -D_GNU_SOURCE
INCS    := -Iinclude -Isrc

VARIANT ?= release
ifeq ($(VARIANT),release)
  OUT    := build
  CFLAGS_V := -O2 -g -DNDEBUG -fno-omit-frame-pointer
  LDFLAGS_V :=
else ifeq ($(VARIANT),debug)
  OUT    := build/debug
  CFLAGS_V := -O0 -g3 -DEMBER_DEBUG=1 -fno-omit-frame-pointer
  LDFLAGS_V :=
else ifeq ($(VARIANT),asan)
  OUT    := build/asan
  CFLAGS_V := -O1 -g -DEMBER_DEBUG=1 -fno-omit-frame-pointer \
              -fsanitize=address,undefined -fno-sanitize-recover=undefined
  LDFLAGS_V := -fsanitize=address,undefined
else ifeq ($(VARIANT),nocounters)
  # Release code with every profiling counter compiled out: the baseline
  # the counters' overhead is measured against (bench/overhead.sh).
  OUT    := build/nocounters
  CFLAGS_V := -O2 -g -DNDEBUG -fno-omit-frame-pointer -DEMBER_NO_COUNTERS
  LDFLAGS_V :=
else ifeq ($(VARIANT),profile)
  # Release code with symbols and frame pointers; tools link gperftools'
  # libprofiler (Debian libgoogle-perftools-dev), which starts profiling
  # when CPUPROFILE names a file. gcc passes --as-needed on Debian and
  # nothing calls into the library, so it is linked with --no-as-needed.
  OUT    := build/profile
  CFLAGS_V := -O2 -g -DNDEBUG -fno-omit-frame-pointer
  LDFLAGS_V :=
  PROFILER_LIBS := -Wl,--push-state,--no-as-needed -lprofiler -Wl,--pop-state
else
  $(error unknown VARIANT '$(VARIANT)': release, debug, asan, profile or nocounters)
endif

CFLAGS_ALL := $(CSTD) $(WARN) $(INCS) $(CFLAGS_V) $(CFLAGS)
OBJDIR     := $(OUT)/obj

LIB_SRC  := $(sort $(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(OBJDIR)/%.o)
LIB_PIC  := $(LIB_SRC:%.c=$(OBJDIR)/pic/%.o)

SHELL_SRC := $(sort $(wildcard tools/shell/*.c))
SLT_SRC   := $(sort $(wildcard tools/slt/*.c))
BENCH_SRC := $(sort $(wildcard tools/bench/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(OUT)/tests/%)
TEST_TOOLS := $(OUT)/tests/tpch_check $(OUT)/tests/tpch_diff \
              $(OUT)/tests/fuzz_smoke
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/*.c))

LIBS      := -lpthread -lm
TOOL_LIBS := $(PROFILER_LIBS) $(LIBS)

TARGETS := $(OUT)/libember.a $(OUT)/ember $(OUT)/ember-slt
ifneq ($(BENCH_SRC),)
TARGETS += $(OUT)/ember-bench
endif
ifeq ($(VARIANT),release)
TARGETS += $(OUT)/libember.so.$(VERSION)
endif

.PHONY: all release debug asan test run deps unit clean fmt bench profile
all: $(TARGETS)

release:
	@$(MAKE) --no-print-directory VARIANT=release all
debug:
	@$(MAKE) --no-print-directory VARIANT=debug all
asan:
	@$(MAKE) --no-print-directory VARIANT=asan all
profile:
	@t=$$(mktemp) && echo 'int main(void) { return 0; }' | \
	    $(CC) -x c - -o "$$t" -lprofiler 2>/dev/null; ok=$$?; rm -f "$$t"; \
	    [ $$ok -eq 0 ] || { echo 'make profile: cannot link -lprofiler:' \
	    'make deps (Debian libgoogle-perftools-dev, google-perftools)' >&2; \
	    exit 1; }
	@$(MAKE) --no-print-directory VARIANT=profile build/profile/ember \
	    build/profile/ember-bench

$(OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(OBJDIR)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fPIC -MMD -MP -c $< -o $@

$(OUT)/libember.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(OUT)/libember.so.$(VERSION): $(LIB_PIC)
	$(CC) -shared -Wl,-soname,libember.so.$(SOVERSION) -o $@ $^ $(LIBS)
	ln -sf libember.so.$(VERSION) $(OUT)/libember.so.$(SOVERSION)
	ln -sf libember.so.$(VERSION) $(OUT)/libember.so

$(OUT)/ember: $(SHELL_SRC:%.c=$(OBJDIR)/%.o) $(OUT)/libember.a
	$(CC) $(LDFLAGS_V) -o $@ $^ -ledit $(TOOL_LIBS)

$(OUT)/ember-slt: $(SLT_SRC:%.c=$(OBJDIR)/%.o) $(OUT)/libember.a
	$(CC) $(LDFLAGS_V) -o $@ $^ -lmd $(TOOL_LIBS)

$(OUT)/ember-bench: $(BENCH_SRC:%.c=$(OBJDIR)/%.o) $(OUT)/libember.a
	$(CC) $(LDFLAGS_V) -o $@ $^ $(TOOL_LIBS)

$(OUT)/tests/%: $(OBJDIR)/tests/unit/%.o $(OUT)/libember.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_V) -o $@ $^ -lcmocka $(TOOL_LIBS)

$(OUT)/tests/tpch_check: $(OBJDIR)/tests/tpch/tpch_check.o $(OUT)/libember.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_V) -o $@ $^ $(TOOL_LIBS)

$(OUT)/tests/tpch_diff: $(OBJDIR)/tests/diff/tpch_diff.o $(OUT)/libember.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_V) -o $@ $^ -lsqlite3 $(TOOL_LIBS)

$(OUT)/tests/fuzz_smoke: $(FUZZ_SRC:%.c=$(OBJDIR)/%.o) $(OUT)/libember.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_V) -o $@ $^ $(TOOL_LIBS)

unit: $(UNIT_BIN) $(TEST_TOOLS)

# Installs missing Debian packages (the list is in scripts/deps.sh).
deps:
	@scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory VARIANT=release all unit
	@$(MAKE) --no-print-directory VARIANT=asan all unit
	@tests/run.sh build
	@tests/run.sh build/asan

# make run [SF=1] [THREADS=n] [RUNS=3]: TPC-H through the built-in
# generator, a table of per-query time, rows and allocations.
SF ?= 1
RUNS ?= 3
run: deps
	@$(MAKE) --no-print-directory VARIANT=release all
	@SF=$(SF) RUNS=$(RUNS) $(if $(THREADS),THREADS=$(THREADS)) scripts/run.sh

clean:
	rm -rf build

fmt:
	clang-format -i $(LIB_SRC) $(wildcard src/*/*.h) include/ember.h \
	    $(SHELL_SRC) $(SLT_SRC) $(BENCH_SRC)

-include $(LIB_OBJ:.o=.d) $(LIB_PIC:.o=.d)
-include $(wildcard $(OBJDIR)/tools/*/*.d) $(wildcard $(OBJDIR)/tests/*/*.d)
