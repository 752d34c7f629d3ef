# saker: one entry point for dependencies, build, tests, benchmarks, fuzzing and install.

# Debian packages the build, the tests and the benchmarks need. `deps` installs
# the missing ones and runs `apt-get update` only when something is missing.
DEB_PACKAGES := clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libzstd-dev \
	libyaml-dev libcmocka-dev libpcap-dev pkg-config zstd libfuzzer-14-dev \
	libclang-rt-14-dev sysdig stress-ng python3 procps iproute2 chromium chromium-driver

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
SANITIZE ?= 0
FUZZ_SECONDS ?= 20

ifeq ($(SANITIZE),1)
B := build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B := build
SAN_FLAGS :=
endif

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -I. -I$(B)/gen -MMD -MP $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
LDLIBS  := -lzstd -lyaml -lz -lbpf -lelf -lm -lpthread

# One static library per directory; every .c is a member except main.c.
LIB_DIRS := formats rules probe replay record
lib_srcs = $(filter-out $(1)/main.c $(1)/%.bpf.c,$(wildcard $(1)/*.c))
lib_objs = $(patsubst %.c,$(B)/obj/%.o,$(call lib_srcs,$(1)))
LIBS := $(foreach d,$(LIB_DIRS),$(B)/lib$(d).a)
# Link order: higher layers first.
LINK_LIBS := $(B)/libreplay.a $(B)/librecord.a $(B)/libprobe.a $(B)/librules.a $(B)/libformats.a

TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRCS))
TEST_HELPERS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard tests/helpers/*.c))
BENCH_SRCS := $(wildcard bench/bench_*.c)
BENCH_BINS := $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_SRCS))

BINS := $(B)/saker-record $(B)/saker-replay

# BPF probe: vmlinux.h from the running kernel's BTF, then object and skeleton.
BPF_SRCS := $(wildcard probe/*.bpf.c)
BPF_OBJS := $(patsubst probe/%.bpf.c,$(B)/gen/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst probe/%.bpf.c,$(B)/gen/%.skel.h,$(BPF_SRCS))
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

.PHONY: all deps run test bench fuzz install clean falco-suite stress
.DEFAULT_GOAL := all

all: $(BINS) $(TEST_BINS) $(BENCH_BINS)

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi

$(B)/gen/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(B)/gen/%.bpf.o: probe/%.bpf.c $(B)/gen/vmlinux.h $(wildcard probe/*.h)
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(B)/gen -I. -Wall -Werror -c $< -o $@

$(B)/gen/%.skel.h: $(B)/gen/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# Everything in probe/ (user half) waits for the skeletons.
$(call lib_objs,probe): | $(BPF_SKELS)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

define lib_rule
$(B)/lib$(1).a: $(call lib_objs,$(1))
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach d,$(LIB_DIRS),$(eval $(call lib_rule,$(d))))

$(B)/saker-record: $(B)/obj/record/main.o $(LIBS)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)

$(B)/saker-replay: $(B)/obj/replay/main.o $(LIBS)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)

$(B)/tests/%: $(B)/obj/tests/%.o $(TEST_HELPERS) $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_HELPERS) $(LINK_LIBS) $(LDLIBS) -lcmocka

$(B)/bench/%: $(B)/obj/bench/%.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) sh samples/run.sh

test: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) SANITIZE=$(SANITIZE) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) sh bench/run.sh

fuzz: deps
	@B=build/fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) sh fuzz/run.sh

# Not part of test: STRESS_SECONDS (default 120) of stress-ng under record + live; figures in $(B)/stress.md.
stress: deps
	@$(MAKE) --no-print-directory $(BINS)
	@B=$(B) sh tests/stress_load.sh

falco-suite: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) sh tests/falco_suite.sh

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/saker/rules.d
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 samples/rules/saker_rules.yaml $(DESTDIR)/etc/saker/rules.d/
	[ -e $(DESTDIR)/etc/saker/saker.yaml ] || install -m 0644 samples/saker.yaml $(DESTDIR)/etc/saker/saker.yaml
	[ -e $(DESTDIR)/etc/saker/saker_rules.local.yaml ] || install -m 0644 samples/saker_rules.local.yaml $(DESTDIR)/etc/saker/saker_rules.local.yaml

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
