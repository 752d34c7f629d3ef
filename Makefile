# saker: one entry point for dependencies, build, tests, benchmarks, fuzzing and install.

# Debian packages the build, the tests and the benchmarks need. `deps` installs
# the missing ones and runs `apt-get update` only when something is missing.
DEB_PACKAGES := clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libzstd-dev \
	libyaml-dev libcmocka-dev libpcap-dev pkg-config zstd libfuzzer-14-dev \
	libclang-rt-14-dev sysdig stress-ng python3 procps iproute2 chromium chromium-driver \
	qemu-system-x86 busybox-static cpio \
	libssl-dev openssl curl libjansson-dev libjson-c-dev \
	prometheus systemd debhelper lintian python3-yaml tcpdump podman runc containerd \
	libnghttp2-dev

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
SANITIZE ?= 0
FUZZ_SECONDS ?= 20
# per fuzz target inside make test: a smoke run that keeps the suite under 10 minutes
TEST_FUZZ_SECONDS ?= 10

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
LDLIBS  := -lzstd -lyaml -lz -lbpf -lelf -lpcap -lssl -lcrypto -lnghttp2 -lm -lpthread

# One static library per directory (subdirectories are libraries of their
# own: formats/skr -> libformats_skr.a); every .c is a member except main.c.
# Listed from the top layer down, which is also the link order
# (docs/architecture.md; tests/tools/check_layers.sh checks the includes).
LIB_DIRS := replay replay/regress replay/diff replay/report replay/summary replay/service replay/packets replay/engine replay/outputs replay/extract \
	replay/state replay/config record sources host probe fields formats/skr formats/scap \
	formats rules json yaml
lib_name = $(B)/lib$(subst /,_,$(1)).a
lib_srcs = $(filter-out $(1)/main.c $(1)/%.bpf.c,$(wildcard $(1)/*.c))
lib_objs = $(patsubst %.c,$(B)/obj/%.o,$(call lib_srcs,$(1)))
LIBS := $(foreach d,$(LIB_DIRS),$(call lib_name,$(d)))
LINK_LIBS := $(LIBS)

TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRCS))
TEST_HELPERS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard tests/helpers/*.c))
BENCH_SRCS := $(wildcard bench/bench_*.c)
BENCH_BINS := $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_SRCS))
# bench/*.c other than bench_*.c: code shared by the benchmark programs.
BENCH_LIB := $(B)/libbench.a
BENCH_HELPERS := $(patsubst %.c,$(B)/obj/%.o,$(filter-out $(BENCH_SRCS),$(wildcard bench/*.c)))

BINS := $(B)/saker-record $(B)/saker-replay

# BPF: vmlinux.h from the running kernel's BTF, then objects and skeletons.
# The probe is one unit per syscall family (probe/bpf/*.bpf.c) linked into
# saker.bpf.o by `bpftool gen object`; probe/empty.bpf.c is the bench's
# reference probe.
PROBE_BPF_SRCS := $(wildcard probe/bpf/*.bpf.c)
PROBE_BPF_OBJS := $(patsubst probe/bpf/%.bpf.c,$(B)/gen/bpf/%.bpf.o,$(PROBE_BPF_SRCS))
BPF_SKELS := $(B)/gen/saker.skel.h $(B)/gen/empty.skel.h
BPF_CFLAGS = -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(B)/gen -I. -Wall -Werror
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

.PHONY: all deps run test bench fuzz install clean falco-suite stress kernel-test deb deb-test
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

$(B)/gen/bpf/%.bpf.o: probe/bpf/%.bpf.c $(B)/gen/vmlinux.h $(wildcard probe/bpf/*.h) probe/saker_event.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/gen/saker.bpf.o: $(PROBE_BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(B)/gen/empty.bpf.o: probe/empty.bpf.c $(B)/gen/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/gen/%.skel.h: $(B)/gen/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# Everything in probe/ (user half) waits for the skeletons.
$(call lib_objs,probe): | $(BPF_SKELS)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

define lib_rule
$(call lib_name,$(1)): $(call lib_objs,$(1))
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach d,$(LIB_DIRS),$(eval $(call lib_rule,$(d))))

$(B)/saker-record: $(B)/obj/record/main.o $(LIBS)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)

$(B)/saker-replay: $(B)/obj/replay/main.o $(LIBS)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)

# json/doc.c is checked against jansson.
$(B)/tests/test_json_doc: LDLIBS += -ljansson

$(B)/tests/%: $(B)/obj/tests/%.o $(TEST_HELPERS) $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_HELPERS) $(LINK_LIBS) $(LDLIBS) -lcmocka

$(BENCH_LIB): $(BENCH_HELPERS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# The JSON parse benchmark compares json/ with the two Debian JSON libraries.
$(B)/bench/bench_json: LDLIBS += -ljansson -ljson-c

$(B)/bench/%: $(B)/obj/bench/%.o $(BENCH_LIB) $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(BENCH_LIB) $(LINK_LIBS) $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) sh samples/run.sh

test: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) SANITIZE=$(SANITIZE) FUZZ_SECONDS=$(TEST_FUZZ_SECONDS) sh tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) sh bench/run.sh

fuzz: deps
	@B=build/fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) sh fuzz/run.sh

# Not part of test: STRESS_SECONDS (default 120) of stress-ng under record + live; figures in $(B)/stress.md.
stress: deps
	@$(MAKE) --no-print-directory $(BINS)
	@B=$(B) sh tests/stress_load.sh

# Not part of test: the probe on Debian's 6.1 and 6.12 kernels under QEMU and on the
# host's, the same workload's events compared (docs/kernel-matrix.md).
kernel-test: deps
	@$(MAKE) --no-print-directory build/saker-record build/saker-replay build/kernel/skwork
	@B=build sh tests/kernel/kernel-test.sh

# The kernel matrix's workload: static, so the guest needs no libraries for it.
build/kernel/skwork: tests/kernel/workload.c
	@mkdir -p $(@D)
	$(CC) -O2 -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -static -o $@ $<

falco-suite: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) sh tests/falco_suite.sh

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/saker/rules.d
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 samples/rules/saker_rules.yaml $(DESTDIR)/etc/saker/rules.d/
	[ -e $(DESTDIR)/etc/saker/saker.yaml ] || install -m 0644 samples/saker.yaml $(DESTDIR)/etc/saker/saker.yaml
	[ -e $(DESTDIR)/etc/saker/saker_rules.local.yaml ] || install -m 0644 samples/saker_rules.local.yaml $(DESTDIR)/etc/saker/saker_rules.local.yaml

# The Debian package (debian/), built from a copy of the tracked files into
# build/deb with lintian's report; deb-test installs, runs and purges it (root).
deb:
	sh tests/tools/build_deb.sh $(CURDIR)/build/deb

deb-test:
	@mkdir -p $(B); SAKER_DEB_TEST=1 sh tests/e2e_deb.sh >$(B)/deb-test.log 2>&1; rc=$$?; cat $(B)/deb-test.log; \
	p=$$(grep -c '^PASS: ' $(B)/deb-test.log); f=$$(grep -c '^FAIL: ' $(B)/deb-test.log); \
	s=$$(grep -c '^SKIPPED: ' $(B)/deb-test.log); echo "$$p passed, $$f failed, $$s skipped"; \
	[ $$rc -eq 0 ] && [ $$f -eq 0 ]

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
